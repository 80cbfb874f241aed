// Small DOM and formatting helpers shared by the views. Text always goes in through textContent, so
// nothing an entity name or an audit entry holds can become markup.
/* global document, Node */

/** el('td', {class: 'num'}, 'text', child, …): an element with attributes and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** A table from column specs [{title, num?, cell(row) → text or node}] and rows. */
export function table(columns, rows, empty = 'nothing yet') {
  const head = el('thead', {}, el('tr', {}, columns.map((c) => el('th', { class: c.num ? 'num' : undefined }, c.title))));
  const body = el('tbody', {}, rows.length === 0
    ? el('tr', {}, el('td', { colspan: columns.length, class: 'muted' }, empty))
    : rows.map((r) => el('tr', {}, columns.map((c) => el('td', { class: c.num ? 'num' : c.wrap ? 'wrap' : undefined }, c.cell(r))))));
  return el('div', { class: 'scroll' }, el('table', {}, head, body));
}

export function fmt(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (typeof x !== 'number') return String(x);
  if (x === Infinity) return '∞';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 0.01 || abs >= 1e6)) return x.toExponential(1);
  return x.toLocaleString(undefined, { maximumFractionDigits: abs >= 100 ? 0 : digits });
}

export const pct = (x, digits = 1) => (x === null || x === undefined ? '–' : `${fmt(x * 100, digits)} %`);

export function time(ms) {
  if (ms === null || ms === undefined) return '–';
  const d = new Date(ms);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "12 s ago" against the server's clock (offset = server now − browser now). */
export function ago(ms, offset) {
  if (ms === null || ms === undefined) return '–';
  const s = Math.max(0, (Date.now() + offset - ms) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${fmt(s / 3600, 1)} h ago`;
  return `${fmt(s / 86400, 1)} d ago`;
}

export function short(value, max = 80) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return '–';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
