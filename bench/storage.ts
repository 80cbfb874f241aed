/**
 * Storage benchmark (`npm run bench -- --only storage`): how many bytes the state file costs the flash
 * per simulated day, and how long one write of it holds the event loop.
 *
 * - 117 entities (the solar-home site): the real app, learning and the optimizer on its default
 *   schedule, for one simulated day in virtual time; the store's own counters say what it wrote
 *   (the stop's final write included).
 * - 1,000 and 10,000 entities (commercial inverters, as the scale bench): the real app runs long
 *   enough to learn a realistic state (1 h, 15 min) and writes it; then the store is driven for one
 *   simulated day with that state in virtual time — the keeper's saves every 5 minutes and the
 *   optimizer's hourly cycle saves, the data different at every save (learning never stops) — and
 *   the bytes it writes to a real file are counted. A full simulated day at 10,000 entities would
 *   cost about an hour of CPU; the write policy, not the polling, decides the figure.
 * - Event-loop lag during one write at 10,000 entities: the real app's save (every part's snapshot,
 *   the JSON in pieces, the durable write) with the loop's delay sampled every millisecond; beside
 *   it what one synchronous JSON.stringify of the same state blocks for.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { App } from '../src/app.js';
import { createMemoryLogger } from '../src/core/logger.js';
import type { PersistedPart } from '../src/core/persisted.js';
import { VirtualClock } from '../src/core/virtualClock.js';
import { DEFAULT_START_MS, runSimulation } from '../src/sim/runner.js';
import { siteByName, type SiteSpec } from '../src/sim/sites.js';
import { APP_STATE_FILE, appStateSchema, type AppState } from '../src/store/appState.js';
import { JsonStore, type StoreCounters } from '../src/store/jsonStore.js';
import { memoryStateFile } from '../src/store/stateFile.js';
import { StateKeeper } from '../src/store/stateKeeper.js';
import { appDefault, scaledSite } from './scale.js';

const MIN_MS = 60_000;
const HOUR_MS = 60 * MIN_MS;
const DAY_MS = 24 * HOUR_MS;
const MB = 2 ** 20;
const SEED = 1;

export interface StorageRow {
  entities: number;
  how: string;
  fileBytes: number;
  writes: number;
  bytesPerDay: number;
}

export interface LagFigures {
  entities: number;
  fileBytes: number;
  writeMs: number;
  p99Ms: number;
  maxMs: number;
  stringifyMs: number;
}

async function counters(app: App | undefined): Promise<StoreCounters> {
  const answer = await app?.commands.handle({ command: 'get_statistics' }, { source: 'stdin' });
  const figures = (answer?.result as { state_file?: StoreCounters } | undefined)?.state_file;
  if (!figures) throw new Error('get_statistics has no state_file figures');
  return figures;
}

/** Runs the real app on `site` for `durationMs` of virtual time; the app (stopped) and its data folder. */
async function runApp(site: SiteSpec, durationMs: number, optimizerOn: boolean): Promise<{ app: App | undefined; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mbo-storage-'));
  const seen: { app?: App } = {};
  await runSimulation({ site, policy: appDefault(dataDir, seen, optimizerOn), setting: { label: '15 s', value: 15 }, seed: SEED, durationMs, startMs: DEFAULT_START_MS });
  return { app: seen.app, dataDir };
}

/** One simulated day of the real app at 117 entities. */
async function realDay(): Promise<StorageRow> {
  const { app, dataDir } = await runApp(siteByName('solar-home'), DAY_MS, true);
  const c = await counters(app);
  await rm(dataDir, { recursive: true, force: true });
  return { entities: app?.poller.allEntityStatus().length ?? 0, how: 'real app, 1 simulated day', fileBytes: c.bytesWritten / Math.max(1, c.writes), writes: c.writes, bytesPerDay: c.bytesWritten };
}

/** The store driven through one simulated day with `state` (what the real app wrote), changing at every save. */
async function storeDay(state: AppState, entities: number, learnedFor: string): Promise<StorageRow> {
  const clock = new VirtualClock(DEFAULT_START_MS);
  const logger = createMemoryLogger();
  let learning = 0;
  const parts: PersistedPart[] = [
    ...Object.entries(state).filter(([key]) => key !== 'entityIds').map(([key, section]): PersistedPart => ({ key, snapshot: () => section, restore: () => undefined })),
    { key: 'learning', snapshot: () => ++learning, restore: () => undefined }, // every save sees something new
  ];
  // in memory and without pauses, so each write completes inside the virtual instant it starts in (a
  // real file write would finish only after more virtual time had run); the bytes are those of the file
  const counted = memoryStateFile();
  const store: JsonStore<AppState> = new JsonStore<AppState>({
    file: APP_STATE_FILE, clock, logger, schema: appStateSchema, stateFile: counted, pause: () => Promise.resolve(), beforeWrite: (d) => keeper.fill(d),
  });
  const keeper: StateKeeper = new StateKeeper({ store, clock, logger, parts, entityIds: Array.isArray(state.entityIds) ? (state.entityIds as string[]) : [] });
  await keeper.load();
  keeper.start();
  for (let t = 0; t < DAY_MS; t += HOUR_MS) {
    await clock.advance(HOUR_MS);
    await keeper.save(false); // the optimizer's evaluation (hourly) marks the state changed
  }
  await keeper.stop();
  const fileBytes = store.counters.bytesWritten / Math.max(1, store.counters.writes);
  return { entities, how: `store for 1 simulated day, state learned by the real app in ${learnedFor}`, fileBytes, writes: store.counters.writes, bytesPerDay: store.counters.bytesWritten };
}

/** The real app's state at `entities` after `learnMs` (and the app, for the lag figure). */
async function learnedState(entities: number, learnMs: number): Promise<{ app: App | undefined; state: AppState; count: number; dataDir: string }> {
  const { app, dataDir } = await runApp(scaledSite(entities), learnMs, false);
  const env = JSON.parse(await readFile(path.join(dataDir, APP_STATE_FILE), 'utf8')) as { data: AppState };
  return { app, state: env.data, count: app?.poller.allEntityStatus().length ?? 0, dataDir };
}

/** The loop's delay while the app writes its state once (a fresh audit record makes it differ). */
async function lagDuringWrite(app: App, state: AppState, dataDir: string, entities: number): Promise<LagFigures> {
  app.optimizer?.loop.auditBy('bench', 'storage bench marker', null, performance.now());
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, 50)); // the sampler runs before the write starts
  histogram.reset();
  const t0 = performance.now();
  await app.save();
  const writeMs = performance.now() - t0;
  histogram.disable();
  const t1 = performance.now();
  JSON.stringify(state);
  const stringifyMs = performance.now() - t1;
  const fileBytes = (await stat(path.join(dataDir, APP_STATE_FILE))).size;
  const ms = (ns: number) => ns / 1e6;
  return { entities, fileBytes, writeMs, p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max), stringifyMs };
}

export async function run(): Promise<{ rows: StorageRow[]; lag: LagFigures }> {
  const rows: StorageRow[] = [await realDay()];
  console.log('[bench]   storage 117: done');
  const small = await learnedState(124, HOUR_MS);
  rows.push(await storeDay(small.state, small.count, '1 h'));
  await rm(small.dataDir, { recursive: true, force: true });
  const mid = await learnedState(1000, HOUR_MS);
  rows.push(await storeDay(mid.state, mid.count, '1 h'));
  await rm(mid.dataDir, { recursive: true, force: true });
  console.log('[bench]   storage 1,000: done');
  const big = await learnedState(10_000, 15 * MIN_MS);
  rows.push(await storeDay(big.state, big.count, '15 min'));
  if (!big.app) throw new Error('the 10,000-entity run left no app');
  const lag = await lagDuringWrite(big.app, big.state, big.dataDir, big.count);
  await rm(big.dataDir, { recursive: true, force: true });
  return { rows, lag };
}

export function storageTable({ rows, lag }: { rows: readonly StorageRow[]; lag: LagFigures }): string {
  const mb = (b: number) => `${(b / MB).toFixed(2)} MB`;
  return [
    '| entities | how | state file (mean write) | writes per day | written per day |',
    '|---:|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.entities.toLocaleString('en-US')} | ${r.how} | ${mb(r.fileBytes)} | ${r.writes} | ${mb(r.bytesPerDay)} |`),
    '',
    `One write at ${lag.entities.toLocaleString('en-US')} entities (${mb(lag.fileBytes)}: snapshots, JSON in pieces, fsynced temp file, rename, folder fsync): `
    + `${lag.writeMs.toFixed(0)} ms in all; event-loop delay during it p99 ${lag.p99Ms.toFixed(1)} ms, max ${lag.maxMs.toFixed(1)} ms `
    + `(one synchronous JSON.stringify of the same state: ${lag.stringifyMs.toFixed(0)} ms).`,
  ].join('\n');
}
