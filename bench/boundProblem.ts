/**
 * The exact bound's problem for one benchmark window (bench/exactBound.ts): the site's entities as
 * the bench configures them, grouped by bus, unit, table and the device's readable range they lie in
 * (a request never crosses a range: the device would refuse it), with their request and register
 * times from the cost model, and the window cut at every context switch of the very realisation the
 * policies were measured on (same seed and epoch), with each entity's true rate in each piece. It
 * also counts how often a walk stepped back to the value it had two changes before — the one way a
 * value the bound treats as Poisson can show a stale value for less than the model says.
 */
import { resolveOptions } from '../src/config/resolve.js';
import { readBusTimeMs, timingOf } from '../src/modbus/costModel.js';
import { readItemOf } from '../src/modbus/readPlan.js';
import { busKeyOf, FUNCTION_OF, type ConnectionDef, type RegisterType } from '../src/modbus/types.js';
import { SimSite } from '../src/sim/groundTruth.js';
import { HOUR_MS } from '../src/sim/rates.js';
import { siteByName, siteOptions, type SiteName } from '../src/sim/sites.js';
import type { BoundEntity, BoundPiece, BoundProblem } from './exactBound.js';

export interface BoundWindow {
  site: SiteName;
  seed: number;
  /** When the run began (window start − warm-up) and where the site's random processes begin. */
  runStartMs: number;
  epochMs: number;
  startMs: number;
  durationMs: number;
}

/** Kinds bounded as Poisson; linked channels, multi-state values and constants are bounded by zero. */
const POISSON_KINDS = new Set(['walk', 'counter']);

interface PointFacts { kind: string; turnaroundMs: number; ranges: ReadonlyArray<readonly [number, number]> }

function pointFacts(site: SiteName): Map<string, PointFacts> {
  return new Map(siteByName(site).devices.flatMap(({ device }) => device.points.map((p) => [p.id, {
    kind: p.process.kind, turnaroundMs: device.turnaroundMs, ranges: device.ranges[p.registerType as RegisterType] ?? [],
  }] as const)));
}

function pieces(truth: SimSite, ids: readonly string[], poisson: readonly boolean[], w: BoundWindow): BoundPiece[] {
  const contexts = [...new Set(ids.filter((_, i) => poisson[i]).map((id) => truth.regimes(id).by).filter((by): by is string => by !== undefined))];
  const out: BoundPiece[] = [];
  const end = w.startMs + w.durationMs;
  for (let t = w.startMs; t < end;) {
    const next = Math.min(end, ...contexts.map((c) => truth.nextContextChange(c, t)));
    const ratesPerMs = Float64Array.from(ids, (id, i) => (poisson[i] ? truth.rateAt(id, t) / HOUR_MS : 0));
    out.push({ durationMs: next - t, ratesPerMs });
    t = next;
  }
  return out;
}

/** Share of walk changes in the window that return to the value of two changes before. */
function walkReturnShare(truth: SimSite, walks: ReadonlySet<string>, endMs: number): number {
  const last = new Map<string, [number, number]>();
  let changes = 0;
  let returns = 0;
  truth.onChange((id, _t, value) => {
    if (!walks.has(id)) return;
    changes++;
    const [before, now] = last.get(id) ?? [NaN, truth.initialValue(id)];
    if (value === before) returns++;
    last.set(id, [now, value]);
  });
  truth.advanceAll(endMs);
  return changes > 0 ? returns / changes : 0;
}

export function boundProblem(w: BoundWindow): { problem: BoundProblem; walkReturnShare: number } {
  const spec = siteByName(w.site);
  const truth = new SimSite(spec, { seed: w.seed, startMs: w.runStartMs, epochMs: w.epochMs, recordChanges: false });
  const { connections, entities } = resolveOptions(siteOptions(spec, 'gateway.sim', 502));
  const conns = new Map<string, ConnectionDef>(connections.map((c) => [c.name, c]));
  const kinds = pointFacts(w.site);
  const requestMs = new Map<string, number>();
  const bounded: BoundEntity[] = entities.map((def) => {
    const conn = conns.get(def.connection) as ConnectionDef;
    const fn = FUNCTION_OF[def.registerType];
    const timing = { ...timingOf(conn), turnaroundMs: kinds.get(def.id)?.turnaroundMs ?? conn.turnaroundMs };
    // a request lies inside one readable range of the device: its values share requests, no others
    const item = readItemOf(def);
    const range = kinds.get(def.id)?.ranges.findIndex(([a, b]) => item.address >= a && item.address + item.count <= b) ?? -1;
    const group = `${busKeyOf(conn)}|${def.unitId}|${fn}|${range}`;
    requestMs.set(group, readBusTimeMs(fn, 0, timing));
    // eight times the registers, divided by eight: a bit's share of a byte for coils, exact for words
    const marginalMs = (readBusTimeMs(fn, 8 * def.count, timing) - readBusTimeMs(fn, 0, timing)) / 8;
    return { group, marginalMs, minIntervalMs: def.minIntervalMs };
  });
  const ids = entities.map((d) => d.id);
  const poisson = ids.map((id) => POISSON_KINDS.has(kinds.get(id)?.kind ?? ''));
  const problem: BoundProblem = {
    entities: bounded, requestMs, pieces: pieces(truth, ids, poisson, w), windowMs: w.durationMs,
    buses: new Set(connections.map(busKeyOf)).size,
  };
  const walks = new Set(ids.filter((id) => kinds.get(id)?.kind === 'walk'));
  // changes before the window are not reported (SimSite), so this counts the window's own
  return { problem, walkReturnShare: walkReturnShare(truth, walks, w.startMs + w.durationMs) };
}
