/**
 * Poll times as the state file keeps them. Plain epoch-ms numbers cost ~14 characters each, 64 per
 * entity: at 10,000 entities a third of the file. Polls come at a steady pace, so the times are
 * stored as the oldest one, a unit, the first gap and then only how each gap differs from the one
 * before — `pollTimesPacked: [t0, k, g1, g2 − g1, g3 − g2, …]`, gaps counted in units of 2^−k ms —
 * which is mostly zeros or a few digits of jitter.
 *
 * The restore must be exact (a poll changed when its time equals a change time, and the stats round
 * trip bit for bit), so the packed form is used only when it decodes to the very same numbers (===);
 * otherwise the plain `pollTimes` list is written. The unit is a power of two because the virtual
 * clock of a simulated bus gives fractional times (multiples of 2^−12 ms near today's epoch): scaling
 * by a power of two is exact, and such gaps become whole numbers.
 */

export interface PollTimesJSON {
  /** Plain times, ascending (files from before packing; times the packed form cannot hold exactly). */
  pollTimes?: number[];
  /** `[t0, k, g1, g2 − g1, …]`: the oldest time, the unit exponent, gap changes in units of 2^−k ms. */
  pollTimesPacked?: number[];
}

/** Finer units than 2^−20 ms are not looked for (a time that needs them is written plainly). */
const MAX_UNIT_EXP = 20;

/** The saved form of ascending poll times: packed when that is exact, plain otherwise. */
export function encodePollTimes(times: readonly number[]): PollTimesJSON {
  const packed = pack(times);
  return packed !== undefined && sameTimes(unpack(packed), times) ? { pollTimesPacked: packed } : { pollTimes: [...times] };
}

/**
 * The poll times a saved tracker holds (none in files from before they were kept), or why they
 * cannot be used: the problem names the field, as a restore warning or error would.
 */
export function decodePollTimes(j: { pollTimes?: unknown; pollTimesPacked?: unknown }): { times: number[] } | { problem: string } {
  if (j.pollTimesPacked !== undefined) {
    const times = isNumberList(j.pollTimesPacked) ? unpack(j.pollTimesPacked) : undefined;
    return times !== undefined && ascending(times) ? { times } : { problem: `pollTimesPacked is not [first time, unit exponent, whole gap steps …]` };
  }
  if (j.pollTimes === undefined) return { times: [] };
  return isNumberList(j.pollTimes) && ascending(j.pollTimes) ? { times: [...j.pollTimes] } : { problem: 'pollTimes is not a list of ascending times' };
}

function pack(times: readonly number[]): number[] | undefined {
  const first = times[0];
  if (first === undefined) return [];
  const gaps = times.slice(1).map((t, i) => t - (times[i] ?? NaN));
  const k = unitExponent(gaps);
  if (k === undefined) return undefined;
  const units = gaps.map((g) => g * 2 ** k);
  return [first, k, ...units.map((u, i) => u - (i === 0 ? 0 : units[i - 1] ?? NaN))];
}

/** The smallest k for which every gap is a whole (safe) number of 2^−k ms. */
function unitExponent(gaps: readonly number[]): number | undefined {
  for (let k = 0; k <= MAX_UNIT_EXP; k++) {
    if (gaps.every((g) => Number.isSafeInteger(g * 2 ** k))) return k;
  }
  return undefined;
}

/** The times of a packed list, or undefined when it is not one. */
function unpack(packed: readonly number[]): number[] | undefined {
  const [first, k, ...steps] = packed;
  if (first === undefined) return [];
  if (k === undefined || !Number.isInteger(k) || k < 0 || k > MAX_UNIT_EXP || !steps.every(Number.isSafeInteger)) return undefined;
  const times = [first];
  let t = first;
  let units = 0;
  for (const step of steps) {
    units += step;
    t += units / 2 ** k;
    times.push(t);
  }
  return times;
}

function sameTimes(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((t, i) => t === b[i]);
}

function isNumberList(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((t) => typeof t === 'number' && Number.isFinite(t));
}

function ascending(times: readonly number[]): boolean {
  return times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= (times[i - 1] ?? -Infinity)));
}
