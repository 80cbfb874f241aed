// A virtualised, sortable, filterable table: only the rows in view (plus a margin) are in the DOM, so
// 10,000 entities scroll, sort and filter without the page stalling. Rows are the API's arrays; live
// updates patch cells by entity id and redraw the visible slice on the next animation frame.
/* global requestAnimationFrame */
import { el } from './dom.js';

const ROW_HEIGHT = 29;
const OVERSCAN = 10;

export class VirtualTable {
  /**
   * columns: [{title, key (index into a row), width, num?, render(row) → text or node, title?(row)}];
   * searchKeys: row indexes whose text the filter matches.
   */
  constructor(container, columns, searchKeys) {
    this.container = container;
    this.columns = columns;
    this.searchKeys = searchKeys;
    this.rows = [];
    this.byId = new Map();
    this.search = [];
    this.view = [];
    this.query = '';
    this.sort = { col: -1, dir: 1 };
    this.pending = false;
    this.body = el('tbody');
    const head = el('tr', {}, columns.map((c, i) => el('th', {
      class: c.num ? 'num' : undefined, role: 'columnheader', 'data-col': c.id, onclick: () => this.sortBy(i),
    }, c.title)));
    this.heads = [...head.children];
    this.table = el('table', {}, el('colgroup', {}, columns.map((c) => el('col', { style: `width:${c.width}px` }))), el('thead', {}, head), this.body);
    container.replaceChildren(this.table);
    container.addEventListener('scroll', () => this.schedule(), { passive: true });
  }

  /** Replaces every row (rows are arrays; row[0] is the id). */
  setRows(rows) {
    this.rows = rows;
    this.byId = new Map(rows.map((r, i) => [r[0], i]));
    this.search = rows.map((r) => this.searchText(r));
    this.refilter();
  }

  /** Patches rows by id: cols are row indexes for the values that follow the id in each update. */
  patch(updates, cols) {
    for (const u of updates) {
      const i = this.byId.get(u[0]);
      if (i === undefined) continue;
      const row = this.rows[i];
      cols.forEach((c, k) => { row[c] = u[k + 1]; });
      this.search[i] = this.searchText(row);
    }
    this.schedule();
  }

  filter(query) {
    this.query = query.trim().toLowerCase();
    this.refilter();
  }

  sortBy(index) {
    this.sort = { col: index, dir: this.sort.col === index ? -this.sort.dir : 1 };
    this.heads.forEach((h, i) => h.setAttribute('aria-sort', i === index ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none'));
    this.resort();
    this.render();
  }

  count() {
    return { shown: this.view.length, total: this.rows.length };
  }

  searchText(row) {
    return this.searchKeys.map((k) => row[k] ?? '').join(' ').toLowerCase();
  }

  refilter() {
    const q = this.query;
    this.view = [];
    for (let i = 0; i < this.rows.length; i++) if (q === '' || this.search[i].includes(q)) this.view.push(i);
    this.resort();
    this.render();
  }

  resort() {
    const { col, dir } = this.sort;
    if (col < 0) return;
    const key = this.columns[col].sortKey ?? this.columns[col].key;
    const rows = this.rows;
    this.view.sort((a, b) => {
      const x = rows[a][key];
      const y = rows[b][key];
      if (x === y) return a - b;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
    });
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  render() {
    const top = this.container.scrollTop;
    const height = this.container.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.view.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const spacer = (rows) => el('tr', { class: 'spacer', 'aria-hidden': 'true' }, el('td', { colspan: this.columns.length, style: `height:${rows * ROW_HEIGHT}px` }));
    const out = [spacer(first)];
    for (let v = first; v < last; v++) {
      const row = this.rows[this.view[v]];
      out.push(el('tr', { 'data-id': row[0] }, this.columns.map((c) => el('td', {
        class: c.num ? 'num' : undefined, title: c.hint ? c.hint(row) : undefined,
      }, c.render ? c.render(row) : row[c.key] ?? '–'))));
    }
    out.push(spacer(this.view.length - last));
    this.body.replaceChildren(...out);
  }
}
