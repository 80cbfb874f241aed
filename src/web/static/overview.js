// Overview: headline cards, per-bus time series (utilisation, requests/min, errors/min, mean staleness)
// that grow with each live point, and the savings against polling everything at the configured intervals.
/* global document */
import { appendPoint, LineChart } from './charts.js';
import { el, fmt, pct, table, time } from './dom.js';

const MAX_POINTS = 1080;
const METRICS = [
  { key: 'utilisation', title: 'Bus utilisation', unit: '%', scale: 100, digits: 1 },
  { key: 'requestsPerMin', title: 'Requests per minute', unit: '/min', scale: 1, digits: 0 },
  { key: 'errorsPerMin', title: 'Errors per minute', unit: '/min', scale: 1, digits: 2 },
  { key: 'stalenessS', title: 'Mean staleness (estimated)', unit: 's', scale: 1, digits: 2 },
];

export class OverviewView {
  constructor() {
    this.charts = undefined;
    this.buses = [];
    this.data = {};
    this.last = undefined;
  }

  render(o) {
    this.last = o;
    this.buses = Object.keys(o.series.buses);
    this.charts ??= METRICS.map((m) => new LineChart(document.getElementById('charts'), m.title, { unit: m.unit, digits: m.digits, testid: `chart-${m.key}` }));
    for (const [i, m] of METRICS.entries()) {
      const cols = this.buses.map((b) => o.series.buses[b][m.key].map((v) => (v === null ? null : v * m.scale)));
      this.data[m.key] = [o.series.t.slice(), ...cols];
      this.charts[i].set(this.buses, this.data[m.key]);
    }
    this.cards(o);
    document.getElementById('savings').replaceChildren(savingsTable(o.buses));
  }

  /** A live point: {t, buses: {key: {utilisation, requestsPerMin, errorsPerMin, stalenessS}}}. */
  point(p) {
    if (!this.charts) return;
    if (Object.keys(p.buses).some((b) => !this.buses.includes(b))) return; // a new bus: the next full fetch adds it
    for (const [i, m] of METRICS.entries()) {
      const values = this.buses.map((b) => {
        const v = p.buses[b]?.[m.key];
        return v === null || v === undefined ? null : v * m.scale;
      });
      appendPoint(this.data[m.key], p.t, values, MAX_POINTS);
      this.charts[i].set(this.buses, this.data[m.key]);
    }
    if (this.last) this.cards(this.last, p);
  }

  cards(o, p) {
    const lastOf = (key) => this.buses.map((b) => (p ? p.buses[b]?.[key] : o.series.buses[b][key].at(-1))).filter((v) => v !== null && v !== undefined);
    const sum = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) : null);
    const configured = sum(o.buses.map((b) => b.savings.configuredUtilisation));
    const current = sum(o.buses.map((b) => b.savings.currentUtilisation));
    const opt = o.optimizer;
    const items = [
      ['Entities', fmt(o.entities)],
      ['Buses', fmt(o.buses.length)],
      ['Requests / min', fmt(sum(lastOf('requestsPerMin')), 0)],
      ['Busiest bus', pct(lastOf('utilisation').length ? Math.max(...lastOf('utilisation')) : null)],
      ['Errors (total)', fmt(o.buses.reduce((s, b) => s + b.errors, 0))],
      ['Mean staleness', lastOf('stalenessS').length ? `${fmt(Math.max(...lastOf('stalenessS')))} s` : '–'],
      ['Bus time vs configured', configured ? change(current / configured) : '–'],
      ['Staleness vs configured', change(stalenessRatio(o.buses))],
      ['Home Assistant', transportText(o.transport)],
      ...(o.proxies?.length ? [['Other masters (proxy)', proxyText(o.proxies)]] : []),
      ['Overall improvement', opt ? pct(opt.overall_improvement) : 'optimizer off'],
      ['Last quick run', opt?.last_quick_optimization ? time(Date.parse(opt.last_quick_optimization)) : '–'],
      ['Last full run', opt?.last_full_optimization ? time(Date.parse(opt.last_full_optimization)) : '–'],
    ];
    document.getElementById('cards').replaceChildren(...items.map(([label, value]) =>
      el('div', { class: 'card' }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value))));
  }
}

/** "2 clients; 94 % of 310 reads without a request of their own" over all proxies. */
function proxyText(proxies) {
  const total = (k) => proxies.reduce((s, p) => s + (p[k] ?? 0), 0);
  const reads = total('hits') + total('misses');
  const spared = total('hits') + total('merged') + total('shared');
  return `${fmt(total('clients'))} client${total('clients') === 1 ? '' : 's'}; ${reads ? `${pct(spared / reads)} of ${fmt(reads)} reads without a request of their own` : 'no reads yet'}`;
}

/** "MQTT, connected" / "REST, disconnected" / "off". */
function transportText(t) {
  if (!t || t.kind === 'off') return 'off';
  return `${t.kind === 'mqtt' ? 'MQTT' : 'REST'}, ${t.connected ? 'connected' : 'disconnected'}`;
}

/** "+12.5 %" / "−40 %" for a ratio now ÷ configured (null → –). */
function change(ratio) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  const d = ratio - 1;
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${pct(Math.abs(d))}`;
}

/** Entity-weighted mean staleness now ÷ at the configured intervals, over all buses. */
function stalenessRatio(buses) {
  const known = buses.filter((b) => b.savings.configuredStalenessS !== null && b.savings.currentStalenessS !== null);
  const w = (f) => known.reduce((s, b) => s + f(b.savings) * b.entities, 0);
  const configured = w((s) => s.configuredStalenessS);
  return configured > 0 ? w((s) => s.currentStalenessS) / configured : null;
}

function savingsTable(buses) {
  const s = (b) => b.savings;
  return table([
    { title: 'Bus', cell: (b) => b.key },
    { title: 'Connections', cell: (b) => b.connections.join(', ') },
    { title: 'Entities', num: true, cell: (b) => fmt(b.entities) },
    { title: 'Bus time at configured intervals', num: true, cell: (b) => pct(s(b).configuredUtilisation) },
    { title: 'Bus time now (model)', num: true, cell: (b) => pct(s(b).currentUtilisation) },
    { title: 'Measured (recent)', num: true, cell: (b) => pct(s(b).measuredUtilisation) },
    { title: 'Bus time change', num: true, cell: (b) => (s(b).configuredUtilisation > 0 ? change(s(b).currentUtilisation / s(b).configuredUtilisation) : '–') },
    { title: 'Staleness at configured', num: true, cell: (b) => (s(b).configuredStalenessS === null ? '–' : `${fmt(s(b).configuredStalenessS)} s`) },
    { title: 'Staleness now', num: true, cell: (b) => (s(b).currentStalenessS === null ? '–' : `${fmt(s(b).currentStalenessS)} s`) },
    { title: 'Staleness change', num: true, cell: (b) => (s(b).configuredStalenessS ? change(s(b).currentStalenessS / s(b).configuredStalenessS) : '–') },
    { title: 'Requests', num: true, cell: (b) => fmt(b.requests) },
    { title: 'Errors', num: true, cell: (b) => fmt(b.errors) },
    { title: 'Overruns', num: true, cell: (b) => fmt(b.overruns) },
  ], buses, 'no buses configured');
}
