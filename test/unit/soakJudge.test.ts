// The soak's rules on tables: a flat run meets every bound, and each kind of trouble — memory that
// grows, a timer that piles up, a listener warning, a stalled poller, a slow event loop — misses
// exactly its own row.
import { describe, expect, it } from '@jest/globals';
import { judgeSoak, type SoakRun, type SoakSample } from '../../test/reliability/soakJudge.js';

const MIN = 60_000;

function sample(i: number, over: Partial<SoakSample> = {}): SoakSample {
  return {
    t: i * 10_000, rssMb: 300 + (i % 2), heapMb: 120, lagP99Ms: 4, lagMaxMs: 30, warm: i >= 6,
    sinceWarmupP99Ms: 5, sinceWarmupMaxMs: 40, resources: { Timeout: 10 + (i % 3), TCPSocketWrap: 2 }, warnings: [], ...over,
  };
}

function run(over: Partial<SoakRun> = {}, each: (i: number) => Partial<SoakSample> = () => ({})): SoakRun {
  return {
    entities: 10_000, units: 20, startedAt: 0, durationMs: 5 * MIN, warmupMs: MIN, output: '',
    samples: Array.from({ length: 30 }, (_, i) => sample(i, each(i))),
    requestsAt: Array.from({ length: 4 * 60 }, (_, i) => MIN + i * 1000), ...over,
  };
}

const missed = (r: SoakRun) => judgeSoak(r).filter((row) => !row.met).map((row) => row.fault.split(' — ')[1] ?? row.fault);

describe('judgeSoak', () => {
  it('meets every bound on a flat run', () => {
    expect(missed(run())).toEqual([]);
  });

  it('misses the memory row when RSS climbs after the warm-up', () => {
    const rows = judgeSoak(run({}, (i) => ({ rssMb: 300 + i })));
    expect(rows.filter((r) => !r.met).map((r) => r.fault)).toEqual([expect.stringContaining('memory')]);
    expect(rows.find((r) => !r.met)?.longOnly).toBe(true); // a few minutes cannot tell growth from warm-up
  });

  it('misses the heap row above 150 MB in use', () => {
    const rows = judgeSoak(run({}, (i) => ({ heapMb: i === 20 ? 151 : 120 })));
    expect(rows.filter((r) => !r.met).map((r) => r.fault)).toEqual(['soak — heap in use (garbage included)']);
    expect(rows.find((r) => !r.met)?.longOnly).toBe(true); // garbage included: the long run judges it
  });

  it('misses the leak row when timers pile up, or on a listener warning', () => {
    expect(missed(run({}, (i) => ({ resources: { Timeout: 10 + i, TCPSocketWrap: 2 } })))).toEqual(['timers, handles, listeners']);
    expect(missed(run({ output: '(node:1) MaxListenersExceededWarning: Possible EventEmitter memory leak' }))).toEqual(['timers, handles, listeners']);
  });

  it('misses the delay row at a p99 of 20 ms and leaves it to the long run', () => {
    const rows = judgeSoak(run({}, () => ({ sinceWarmupP99Ms: 20 })));
    expect(rows.filter((r) => !r.met).map((r) => r.fault)).toEqual(['soak — event-loop delay']);
    expect(rows.find((r) => r.fault === 'soak — event-loop delay')?.longOnly).toBe(true);
  });

  it('misses the polling row on a gap over 30 s', () => {
    const requestsAt = [...Array.from({ length: 60 }, (_, i) => MIN + i * 1000), 2 * MIN + 31_000];
    expect(missed(run({ requestsAt }))).toEqual(['polling kept its pace']);
  });

  it('fails as a whole with too few samples after the warm-up', () => {
    expect(judgeSoak(run({}, () => ({ warm: false })))).toEqual([expect.objectContaining({ met: false, fault: 'soak' })]);
  });
});
