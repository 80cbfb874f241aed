/**
 * Turns the soak probe's samples (soakProbe.mjs) and the device's request times into README's rows,
 * each against the bound issue 16 item 7 sets. Pure, so its rules are tested on tables
 * (test/unit/soakJudge.test.ts) without an hour of polling.
 */
import { spread } from './figures.js';
import type { ReliabilityRow } from './types.js';

export interface SoakSample {
  t: number;
  rssMb: number;
  heapMb: number;
  lagP99Ms: number;
  lagMaxMs: number;
  warm: boolean;
  sinceWarmupP99Ms: number;
  sinceWarmupMaxMs: number;
  resources: Record<string, number>;
  warnings: string[];
}

export interface SoakRun {
  entities: number;
  units: number;
  samples: SoakSample[];
  /** When the device saw each request (ms, the same clock as the samples). */
  requestsAt: number[];
  startedAt: number;
  durationMs: number;
  warmupMs: number;
  output: string;
}

export const RSS_GROWTH_MB = 5;
export const LAG_P99_MS = 20;
export const HEAP_MB = 150;
/** A resource type may vary by this much between the first and the last third (timers in flight). */
export const RESOURCE_SLACK = 3;
/** No gap between requests longer than twice the 15 s scan interval once warm. */
const MAX_GAP_MS = 30_000;

const f1 = (x: number) => x.toFixed(1);
const median = (xs: number[]) => spread(xs).p50 ?? NaN;

function thirds(warm: SoakSample[]): { first: SoakSample[]; last: SoakSample[] } {
  const n = Math.max(1, Math.floor(warm.length / 3));
  return { first: warm.slice(0, n), last: warm.slice(-n) };
}

function memoryRows(run: SoakRun, warm: SoakSample[]): ReliabilityRow[] {
  const { first, last } = thirds(warm);
  const growth = median(last.map((s) => s.rssMb)) - median(first.map((s) => s.rssMb));
  const heap = Math.max(...warm.map((s) => s.heapMb));
  const minutes = Math.round((run.durationMs - run.warmupMs) / 60_000);
  return [
    { fault: `soak: ${run.entities.toLocaleString('en')} entities on ${run.units} units, ${minutes} min after warm-up — memory`,
      figure: `RSS ${f1(median(first.map((s) => s.rssMb)))} → ${f1(median(last.map((s) => s.rssMb)))} MB (growth ${f1(growth)} MB, medians of the first and last third)`,
      bound: `growth < ${RSS_GROWTH_MB} MB`, met: growth < RSS_GROWTH_MB, longOnly: true },
    // garbage included, so it depends on when V8 collects: minutes after start it is still sizing its heap
    { fault: 'soak — heap in use (garbage included)', figure: `at most ${f1(heap)} MB`, bound: `≤ ${HEAP_MB} MB`, met: heap <= HEAP_MB, longOnly: true },
  ];
}

function leakRow(run: SoakRun, warm: SoakSample[]): ReliabilityRow {
  const { first, last } = thirds(warm);
  const kinds = [...new Set(warm.flatMap((s) => Object.keys(s.resources)))].sort();
  const most = (ss: SoakSample[], k: string) => Math.max(0, ...ss.map((s) => s.resources[k] ?? 0));
  const grown = kinds.filter((k) => most(last, k) > most(first, k) + RESOURCE_SLACK);
  const warnings = [...run.samples.flatMap((s) => s.warnings), ...(run.output.match(/MaxListenersExceededWarning[^\n]*/g) ?? [])];
  const counts = kinds.map((k) => `${k} ${most(first, k)}→${most(last, k)}`).join(', ');
  return {
    fault: 'soak — timers, handles, listeners', figure: `${counts}; ${warnings.length} warnings${warnings[0] ? ` (${warnings[0]})` : ''}`,
    bound: `no kind grows by more than ${RESOURCE_SLACK} from the first to the last third; no warning`,
    met: grown.length === 0 && warnings.length === 0,
  };
}

function lagRow(warm: SoakSample[]): ReliabilityRow {
  const end = warm[warm.length - 1];
  const p99 = end?.sinceWarmupP99Ms ?? NaN;
  return {
    fault: 'soak — event-loop delay', figure: `p99 ${f1(p99)} ms, max ${f1(end?.sinceWarmupMaxMs ?? NaN)} ms since warm-up`,
    bound: `p99 < ${LAG_P99_MS} ms`, met: p99 < LAG_P99_MS, longOnly: true,
  };
}

function pollingRow(run: SoakRun): ReliabilityRow {
  const from = run.startedAt + run.warmupMs;
  const times = run.requestsAt.filter((t) => t >= from);
  let gap = times.length === 0 ? run.durationMs - run.warmupMs : 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, (times[i] ?? 0) - (times[i - 1] ?? 0));
  const perMin = times.length / ((run.durationMs - run.warmupMs) / 60_000);
  return {
    fault: 'soak — polling kept its pace', figure: `${Math.round(perMin)} requests/min after warm-up, longest gap ${f1(gap / 1000)} s`,
    bound: `no gap over ${MAX_GAP_MS / 1000} s`, met: gap <= MAX_GAP_MS,
  };
}

export function judgeSoak(run: SoakRun): ReliabilityRow[] {
  const warm = run.samples.filter((s) => s.warm);
  if (warm.length < 3) {
    return [{ fault: 'soak', figure: `${warm.length} probe samples after warm-up`, bound: 'at least 3 samples', met: false }];
  }
  return [...memoryRows(run, warm), leakRow(run, warm), lagRow(warm), pollingRow(run)];
}
