// Optimization: the strategies (success rate, runs, parameters) with their success rates over time, the
// history of experiments (verdict, estimated effect, window metrics, roll-outs and rollbacks), and the audit log.
/* global document */
import { LineChart } from './charts.js';
import { el, fmt, pct, short, table, time } from './dom.js';

let chart;
/** Audit rows shown until the user asks for all of them. */
const AUDIT_FIRST = 20;
let auditAll = false;

const metrics = (w) => (w ? `${fmt(w.requestsPerMin, 1)}/min · bus ${pct(w.busUtilisation)} · stale ${fmt(w.stalenessMs / 1000)} s · err ${pct(w.errorRate)}` : '–');

const effect = (r) => {
  const e = r.experiment?.effect;
  return e ? `${pct(e.improvement)} ± ${pct(2 * e.standardError)} · bus ${e.busFraction >= 0 ? '+' : ''}${pct(e.busFraction)} · age ${fmt(e.meanAgeMs / 1000)} s` : '–';
};

const deferrals = (d) => (d
  ? `Full cycles deferred by the resource check: ${d.total} (CPU ${d.cpu} · event loop ${d.event_loop} · bus ${d.bus} · errors ${d.errors}) · run anyway after 6 in a row: ${d.run_anyway}`
  : '');

function status(r) {
  const verdict = r.experiment?.verdict;
  if (r.rolledBack) return el('span', { class: 'badge bad' }, verdict ? `${verdict}, undone` : 'rolled back');
  if (r.evaluatedAt === undefined || r.evaluatedAt === null) {
    const extended = r.experiment?.extensions;
    return el('span', { class: 'badge waiting' }, extended ? `pending, window extended ×${extended}` : 'pending');
  }
  if (!verdict && r.withdrawn) return el('span', { class: 'badge waiting' }, 'withdrawn (regime shift)');
  return el('span', { class: 'badge ok' }, verdict ? `${verdict}${r.experiment?.rolledOut ? `, +${r.experiment.rolledOut} rolled out` : ''}` : 'kept');
}

export function renderOptimization(data) {
  const root = document.getElementById('optimization');
  chart?.destroy();
  chart = undefined;
  if (!data.statistics) {
    return root.replaceChildren(el('p', { class: 'muted' }, 'The optimizer is not running in this configuration.'));
  }
  const s = data.statistics;
  const chartBox = el('div', { class: 'charts' });
  root.replaceChildren(
    el('p', {}, `Schedule ${data.enabled ? 'on' : 'off'} · ${s.history_length} records, ${s.pending_evaluations} awaiting evaluation, ${s.rolled_back} rolled back · last evaluation ${s.last_evaluation ? time(Date.parse(s.last_evaluation)) : '–'}`),
    el('p', { 'data-testid': 'deferrals' }, deferrals(s.deferrals)),
    el('h2', {}, 'Strategies'),
    table([
      { title: 'Strategy', cell: (x) => x.name },
      { title: 'Priority', num: true, cell: (x) => x.priority },
      { title: 'Success rate', num: true, cell: (x) => pct(x.success_rate) },
      { title: 'Evaluations', num: true, cell: (x) => x.evaluations },
      { title: 'Runs', num: true, cell: (x) => x.runs },
      { title: 'Last run', cell: (x) => (x.last_run ? time(Date.parse(x.last_run)) : '–') },
      { title: 'Last score', num: true, cell: (x) => fmt(x.last_score) },
      { title: 'Last improvement', num: true, cell: (x) => pct(x.last_improvement) },
      { title: 'Cooldown until', cell: (x) => (x.on_cooldown_until ? time(Date.parse(x.on_cooldown_until)) : '–') },
      { title: 'Parameters', wrap: true, cell: (x) => Object.entries(x.parameters).map(([k, v]) => `${k}=${fmt(v, 3)}`).join(', ') },
    ], data.strategies),
    chartBox,
    el('h2', {}, 'History'),
    table([
      { title: '#', num: true, cell: (r) => r.id },
      { title: 'Applied', cell: (r) => time(r.appliedAt) },
      { title: 'Strategy', cell: (r) => r.strategy },
      { title: 'Trigger', cell: (r) => r.trigger },
      { title: 'By', cell: (r) => r.by },
      { title: 'Changes', num: true, cell: (r) => r.changes.length },
      { title: 'Improvement', num: true, cell: (r) => (r.score === undefined || r.score === null ? '–' : pct(r.score)) },
      { title: 'Status', cell: status },
      { title: 'Summary', wrap: true, cell: (r) => r.summary },
      { title: 'Before', wrap: true, cell: (r) => metrics(r.before) },
      { title: 'After', wrap: true, cell: (r) => metrics(r.after) },
      { title: 'Effect (same window)', wrap: true, cell: effect },
    ], data.history, 'no change applied yet (a run that changes nothing leaves no record)'),
    el('h2', {}, 'Audit log'),
    el('div', { 'data-testid': 'audit' }, table([
      { title: 'When', cell: (a) => time(a.at) },
      { title: 'Who', cell: (a) => a.by },
      { title: 'What', wrap: true, cell: (a) => a.what },
      { title: 'Before', wrap: true, cell: (a) => short(a.before) },
      { title: 'After', wrap: true, cell: (a) => short(a.after) },
    ], auditAll ? data.audit : data.audit.slice(0, AUDIT_FIRST), 'nothing changed yet')),
    data.audit.length > AUDIT_FIRST && !auditAll
      ? el('p', {}, el('button', { type: 'button', onclick: () => { auditAll = true; renderOptimization(data); } }, `Show all ${data.audit.length} entries`))
      : null,
  );
  chart = new LineChart(chartBox, 'Strategy success rates over time', { unit: '%', digits: 1, testid: 'chart-success' });
  const names = Object.keys(data.successRates.rates);
  chart.set(names, [data.successRates.t, ...names.map((n) => data.successRates.rates[n].map((v) => v * 100))]);
}
