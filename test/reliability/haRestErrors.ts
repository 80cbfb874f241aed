/**
 * Issue 16 item 5, "REST 500s": Home Assistant answers every POST /api/states/<id> with 500 for a
 * while (its websocket stays up, so commands still arrive and answer) and then recovers. Two values
 * change on the device during the outage (written through the app, the setpoint twice so the older
 * value must not win). The app must back off instead of hammering HA, keep running, and once HA
 * recovers deliver every entity's newest state within its pending back-off step: what HA holds then
 * equals the app's newest value and the last body it tried to post, entity by entity.
 */
import { backoffDelay } from '../../src/core/backoff.js';
import { stableJson } from '../../src/core/stableJson.js';
import type { RestPost } from '../helpers/fakeHomeAssistant.js';
import { now, rowOf, secs, sleep, timeUntil, type Check } from './figures.js';
import type { HaAppRig } from './haAppRig.js';
import { answersCommands, onFreshRig } from './haChecks.js';
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';

const PLANS: Record<ReliabilityLength, { outageMs: number }> = { long: { outageMs: 300_000 }, short: { outageMs: 15_000 } };

/** The publisher's back-off as the app runs it (src/ha/publisher.ts backOff: 1 s · 2^n, cap 60 s, jitter × 0.5–1). */
const BASE_MS = 1_000;
const MAX_MS = 60_000;
const step = (k: number, jitter: number) => backoffDelay(k, BASE_MS, MAX_MS, () => jitter);
/** Timers and the post itself may land a little early on the shortest step. */
const TIMER_SLACK_MS = 50;
/** Posting the held states once HA accepts again. */
const CATCH_UP_MS = 5_000;
const FIRST = 510;
const NEWEST = 620;

/** The most attempts an outage of `ms` allows: the first, then one per shortest back-off step that fits. */
export function maxAttempts(ms: number): number {
  let attempts = 1;
  for (let t = step(0, 0); t <= ms; t += step(attempts - 1, 0)) attempts++;
  return attempts;
}

interface Outage { from: number; to: number; commands: Array<Record<string, unknown> | undefined> }

async function hurt(rig: HaAppRig, outageMs: number): Promise<Outage> {
  const from = now();
  rig.ha.stateFailure = 500;
  const commands = [await rig.command({ command: 'write_register', entity: 'setpoint', value: FIRST })];
  await sleep(Math.max(0, from + outageMs * 0.6 - now()));
  commands.push(await rig.command({ command: 'write_register', entity: 'setpoint', value: NEWEST }));
  commands.push(await rig.command({ command: 'write_coil', entity: 'relay', value: false }));
  await sleep(Math.max(0, from + outageMs - now()));
  rig.ha.stateFailure = undefined;
  return { from, to: now(), commands };
}

function backOffChecks(failed: RestPost[], outage: Outage): Check[] {
  const gaps = failed.slice(1).map((p, k) => p.at - (failed[k]?.at ?? p.at));
  const bound = maxAttempts(outage.to - outage.from);
  return [
    { ok: failed.length >= 1 && failed.length <= bound,
      figure: `${failed.length} REST attempts in the ${secs(outage.to - outage.from)} outage (at most ${bound} with the back-off)` },
    { ok: gaps.every((g, k) => g >= step(k, 0) - TIMER_SLACK_MS), figure: `gaps ${gaps.map((g) => (g / 1000).toFixed(1)).join(', ')} s` },
  ];
}

/** Every baseline entity as HA holds it equals the last body the app tried to post for it. */
function heldEqualsLastTried(rig: HaAppRig): string[] {
  const last = new Map(rig.ha.posts.map((p) => [p.entityId, p.body]));
  return rig.baseline.filter((id) => {
    const held = rig.ha.state(id);
    return !held || stableJson({ state: held.state, attributes: held.attributes }) !== stableJson(last.get(id));
  });
}

async function recoveryChecks(rig: HaAppRig, outage: Outage, failed: RestPost[]): Promise<Check[]> {
  const lastFail = failed[failed.length - 1]?.at ?? outage.to;
  const boundMs = Math.max(0, lastFail + step(Math.max(0, failed.length - 1), 1) - outage.to) + CATCH_UP_MS;
  const delivered = () => rig.ha.state('sensor.setpoint')?.state === String(NEWEST) && rig.ha.state('binary_sensor.relay')?.state === 'off'
    && heldEqualsLastTried(rig).length === 0;
  const at = await timeUntil(delivered, boundMs + 10_000);
  const stats = await rig.command({ command: 'get_statistics' });
  const values = new Map(((stats?.result as { entities?: Array<{ id: string; value: unknown }> } | undefined)?.entities ?? []).map((e) => [e.id, e.value]));
  const differ = heldEqualsLastTried(rig);
  const newest = values.get('setpoint') === NEWEST && values.get('relay') === false;
  return [
    { ok: at !== undefined && at - outage.to <= boundMs, figure: `all states delivered ${secs(at === undefined ? undefined : at - outage.to)} after recovery (bound ${secs(boundMs)})` },
    { ok: newest && differ.length === 0 && rig.ha.state('sensor.setpoint')?.state === String(NEWEST),
      figure: differ.length === 0 ? `HA holds the app's newest value of all ${rig.baseline.length} entities (setpoint ${String(values.get('setpoint'))})`
        : `HA differs from the app's last post for ${differ.join(', ')}` },
  ];
}

async function restErrorChecks(rig: HaAppRig, outageMs: number): Promise<Check[]> {
  const outage = await hurt(rig, outageMs);
  const failed = rig.ha.posts.filter((p) => p.status === 500);
  const answered = outage.commands.every((c) => c?.success === true);
  return [
    ...backOffChecks(failed, outage),
    { ok: answered && rig.alive(), figure: `running, ${outage.commands.length} writes answered during the outage` },
    ...await recoveryChecks(rig, outage, failed),
    await answersCommands(rig),
  ];
}

async function run(length: ReliabilityLength): Promise<ReliabilityRow[]> {
  const { outageMs } = PLANS[length];
  const checks = await onFreshRig((rig) => restErrorChecks(rig, outageMs));
  return [rowOf(`REST 500s for ${secs(outageMs)}`,
    `backed off (1 s · 2^n, ≤ 60 s, jitter × 0.5–1: attempts ≤ that schedule allows, each gap ≥ its shortest step); no crash; ` +
    `every newest state in HA within the pending back-off step + ${CATCH_UP_MS / 1000} s of recovery; no state lost`, checks)];
}

export const haRestErrors: ReliabilityScenario = { name: 'ha-rest-errors', run };
