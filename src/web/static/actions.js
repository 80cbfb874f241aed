// Actions: run the quick or full cycle, evaluate, run one strategy, change a strategy parameter. Each
// posts the same command object HA services send ({"command": …}) to api/command; the app runs it
// through its one command registry and audits it under the HA user the ingress proxy names.
/* global document, fetch */
import { el, fmt, table, time } from './dom.js';

let onDone = () => {};
let strategies = [];

async function send(request, button) {
  const out = document.getElementById('action-result');
  button.disabled = true;
  out.className = 'result';
  out.textContent = `Running ${request.command}…`;
  try {
    const res = await fetch('api/command', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Modbus-Optimizer': 'dashboard' }, body: JSON.stringify(request) });
    const body = res.headers.get('content-type')?.includes('json') ? await res.json() : { success: false, error: { message: await res.text() } };
    out.className = `result ${body.success ? 'ok' : 'bad'}`;
    out.textContent = body.success ? `${request.command}: done\n${JSON.stringify(body.result, null, 2)}` : `${request.command} failed: ${body.error?.code ?? res.status}: ${body.error?.message}`;
  } catch (err) {
    out.className = 'result bad';
    out.textContent = `${request.command} could not be sent: ${err}`;
  } finally {
    button.disabled = false;
    onDone();
  }
}

function commandButton(label, request, testid) {
  const b = el('button', { type: 'button', 'data-testid': testid, onclick: () => send(request(), b) }, label);
  return b;
}

function select(id, options) {
  return el('select', { id }, options.map(([value, label]) => el('option', { value }, label)));
}

function parameterForm() {
  const strategy = select('param-strategy', strategies.map((s) => [s.name, s.name]));
  const parameter = select('param-name', []);
  const value = el('input', { id: 'param-value', type: 'number', step: 'any', required: true, 'aria-label': 'New value' });
  const hint = el('span', { class: 'muted' });
  const fill = () => {
    const s = strategies.find((x) => x.name === strategy.value);
    parameter.replaceChildren(...(s?.parameterSpecs ?? []).map((p) => el('option', { value: p.name }, p.name)));
    show();
  };
  const show = () => {
    const s = strategies.find((x) => x.name === strategy.value);
    const spec = s?.parameterSpecs.find((p) => p.name === parameter.value);
    if (!spec) return;
    value.min = String(spec.min);
    value.max = String(spec.max);
    value.value = String(s.parameters[spec.name] ?? '');
    hint.textContent = `${spec.description} (${fmt(spec.min, 3)} … ${fmt(spec.max, 3)}${spec.integer ? ', whole number' : ''})`;
  };
  strategy.addEventListener('change', fill);
  parameter.addEventListener('change', show);
  fill();
  const apply = commandButton('Apply', () => ({
    command: 'update_strategy_parameters', strategy: strategy.value, parameters: { [parameter.value]: Number(value.value) },
  }), 'action-parameter');
  return el('div', { class: 'panel' }, el('h3', {}, 'Change a strategy parameter'),
    el('div', { class: 'row' }, strategy, parameter, value, apply), hint);
}

/** data: the optimization view (strategies with their parameter specs). */
export function renderActions(data, refresh) {
  onDone = refresh;
  strategies = data.strategies;
  const root = document.getElementById('actions');
  if (!data.statistics) return root.replaceChildren(el('p', { class: 'muted' }, 'The optimizer is not running in this configuration: no actions.'));
  if (root.childElementCount > 0) return recent(data.audit); // built once; keeps what the user typed
  const runOne = select('run-strategy', strategies.map((s) => [s.name, s.name]));
  root.replaceChildren(
    el('div', { class: 'actions' },
      el('div', { class: 'panel' }, el('h3', {}, 'Run now'),
        el('div', { class: 'row' },
          commandButton('Quick optimization', () => ({ command: 'run_quick_optimization' }), 'action-quick'),
          commandButton('Full optimization', () => ({ command: 'run_full_optimization' }), 'action-full'),
          commandButton('Evaluate', () => ({ command: 'evaluate_optimizations' }), 'action-evaluate')),
        el('div', { class: 'row' }, runOne, commandButton('Run strategy', () => ({ command: 'run_strategy', strategy: runOne.value }), 'action-strategy'))),
      parameterForm()),
    el('h3', {}, 'Result'),
    el('pre', { id: 'action-result', class: 'result', 'data-testid': 'action-result' }, 'Each action is recorded in the audit log under your Home Assistant user.'),
    el('h3', {}, 'Latest audit entries'),
    el('div', { id: 'action-audit', 'data-testid': 'action-audit' }),
  );
  recent(data.audit);
}

function recent(audit) {
  document.getElementById('action-audit')?.replaceChildren(table([
    { title: 'When', cell: (a) => time(a.at) },
    { title: 'Who', cell: (a) => a.by },
    { title: 'What', wrap: true, cell: (a) => a.what },
  ], audit.slice(0, 5), 'nothing changed yet'));
}
