// Entities: every entity in one virtualised table (value, unit, intervals, learned rate and confidence,
// regime, cluster, last change, reads, errors, availability), sortable by any column, filtered as you type.
/* global document */
import { ago, el, fmt } from './dom.js';
import { VirtualTable } from './table.js';

export class EntitiesView {
  constructor(offset) {
    this.offset = offset;
    this.table = undefined;
    this.index = {};
  }

  /** data: {columns, rows} from api/entities. */
  render(data) {
    this.index = Object.fromEntries(data.columns.map((c, i) => [c, i]));
    if (!this.table) this.build();
    this.table.setRows(data.rows);
    this.count();
  }

  build() {
    const k = this.index;
    const col = (id, title, width, extra = {}) => ({ id, title, width, key: k[id], ...extra });
    const avail = (r) => el('span', { class: `badge ${r[k.availability] === 'ok' ? 'ok' : r[k.availability] === 'waiting' ? 'waiting' : 'failing'}` }, String(r[k.availability]).replace('_', ' '));
    this.table = new VirtualTable(document.getElementById('entity-table'), [
      col('id', 'Entity', 190, { hint: (r) => r[k.name] }),
      col('name', 'Name', 170),
      col('value', 'Value', 120, { num: true, render: (r) => (r[k.value] === null ? '–' : `${typeof r[k.value] === 'number' ? fmt(r[k.value], 3) : r[k.value]}${r[k.unit] ? ` ${r[k.unit]}` : ''}`) }),
      col('interval_s', 'Interval', 80, { num: true, render: (r) => `${fmt(r[k.interval_s], 1)} s`, hint: (r) => `configured ${fmt(r[k.scan_interval_s], 1)} s` }),
      col('rate_per_hour', 'Changes/h', 90, { num: true, render: (r) => (r[k.rate_per_hour] === null ? '–' : `${r[k.saturated] ? '≥ ' : ''}${fmt(r[k.rate_per_hour], 2)}`) }),
      col('confidence', 'Confidence', 90, { num: true, render: (r) => (r[k.confidence] === null ? '–' : `${fmt(r[k.confidence] * 100, 0)} %`) }),
      col('regime', 'Regime', 130, { render: (r) => r[k.regime] ?? '–' }),
      col('cluster', 'Cluster', 80, { render: (r) => r[k.cluster] ?? '–' }),
      col('last_change', 'Last change', 100, { render: (r) => ago(r[k.last_change], this.offset()) }),
      col('reads', 'Reads', 70, { num: true, render: (r) => fmt(r[k.reads]) }),
      col('errors', 'Errors', 60, { num: true, render: (r) => fmt(r[k.errors]) }),
      col('availability', 'Available', 100, { render: avail, hint: (r) => r[k.last_error] ?? '' }),
      col('bus', 'Bus', 170),
    ], ['id', 'name', 'bus', 'unit', 'regime', 'cluster', 'availability'].map((c) => k[c]));
    const input = document.getElementById('filter');
    input.addEventListener('input', () => {
      this.table.filter(input.value);
      this.count();
    });
  }

  /** A live `values` event: rows of [id, …live columns] in the order `liveColumns` names them. */
  live(rows, liveColumns) {
    if (!this.table) return;
    this.table.patch(rows, liveColumns.slice(1).map((c) => this.index[c]));
  }

  count() {
    const { shown, total } = this.table.count();
    document.getElementById('entity-count').textContent = shown === total ? `${fmt(total)} entities` : `${fmt(shown)} of ${fmt(total)} entities`;
  }
}
