/**
 * Durable state in one JSON file: everything the app learns (intervals, clusters, statistics, holes,
 * optimization history, audit log) survives restarts. A write is atomic and durable (stateFile.ts,
 * durableWrite.ts: fsynced temp file, rename, folder fsync) and made off the critical path: the JSON
 * is built in pieces with the event loop let through between them (jsonChunks.ts). Background saves
 * are debounced and bounded in rate — at least `minGapMs` apart, and further apart for a big file so
 * that they stay within `bytesPerDay` — while `flush` (a command's change) writes at once and resolves
 * only when the change is on disk. A write whose data is what the file already holds is skipped (flash
 * storage is not worn by a save that changes nothing). The file carries a schema version; older
 * versions are migrated, and a file that is corrupt, unreadable or from a newer version is moved aside
 * with a warning so the app starts fresh instead of crashing or losing the evidence.
 */
import { createHash } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { nextTurn, type Clock, type TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { jsonChunks } from './jsonChunks.js';
import { diskStateFile, type StateFile } from './stateFile.js';

/** What is on disk: the data wrapped with its schema version. */
export interface Envelope<T> {
  version: number;
  savedAt: number;
  data: T;
}

export interface StoreSchema<T> {
  version: number;
  empty(): T;
  /** Turns data saved by an older version into the current shape; throw if it cannot. */
  migrate(data: unknown, fromVersion: number): T;
  /** Throws an Error naming what is wrong when current-version data is not usable. */
  check?(data: unknown): asserts data is T;
}

export interface StoreDeps<T> {
  file: string;
  clock: Clock;
  logger: Logger;
  schema: StoreSchema<T>;
  /** Delay between a change and its background write, coalescing bursts (default 5 s). */
  debounceMs?: number;
  /** Least time between two background writes (default 6 h); `flush` is never held back. */
  minGapMs?: number;
  /** Background writes are spaced so that they stay under this many bytes a day (default 90 MiB). */
  bytesPerDay?: number;
  /** Where the JSON lives (tests and simulation may pass an in-memory one); default the file on disk. */
  stateFile?: StateFile;
  /** Lets the event loop run between pieces of a write (default: the next turn). */
  pause?: () => Promise<void>;
  /** Moves a bad file aside; default renames it. */
  moveAside?: (from: string, to: string) => Promise<void>;
  /** Fills the data right before each write (so callers can mark dirty cheaply and copy state once). */
  beforeWrite?: (data: T) => void;
}

/** The state file is not usable: not an object, no version, or a version newer than this app's. */
export class StoreLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreLoadError';
  }
}

/** What the store has done since start (the bench and the statistics read it). */
export interface StoreCounters {
  writes: number;
  bytesWritten: number;
  /** Saves skipped because the data was what the file held. */
  unchanged: number;
  failures: number;
  lastError: string | null;
}

const DAY_MS = 86_400_000;
const RETRY_MS = 60_000;

export class JsonStore<T> {
  readonly counters: StoreCounters = { writes: 0, bytesWritten: 0, unchanged: 0, failures: 0, lastError: null };
  private envelope: Envelope<T>;
  private readonly stateFile: StateFile;
  private timer: TimerHandle | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  /**
   * A digest of the data's JSON as the file holds it (undefined: unknown, e.g. before the first load):
   * enough to skip a write that would change nothing, without keeping the text (21 MB at 10,000 entities).
   */
  private onDisk: { version: number; digest: string } | undefined;
  /** When the last write finished and how long the next background write must wait after it. */
  private lastWrite: { at: number; gapMs: number } | undefined;

  constructor(private readonly deps: StoreDeps<T>) {
    this.stateFile = deps.stateFile ?? diskStateFile(deps.file);
    this.envelope = this.fresh();
  }

  get data(): T {
    return this.envelope.data;
  }

  /** Reads the file; never throws: a bad file is moved aside and the store starts empty. */
  async load(): Promise<T> {
    try {
      const raw = await this.stateFile.read();
      this.envelope = this.accept(raw);
      // a migrated file (dirty after accept) must be rewritten even when its data reads the same
      this.onDisk = raw === null || this.dirty ? undefined : { version: this.envelope.version, digest: await this.digest(await this.chunks()) };
    } catch (err) {
      await this.setAside(describeError(err));
      this.envelope = this.fresh();
    }
    return this.data;
  }

  /** Applies a change; written in the background (debounced, rate-bounded), or at once when `flush` is set. */
  async update(mutate: (data: T) => void, options: { flush?: boolean } = {}): Promise<void> {
    mutate(this.envelope.data);
    this.dirty = true;
    if (options.flush) await this.flush();
    else this.schedule();
  }

  /**
   * Writes pending changes now; resolves once they are durable. Rejects with the StateWriteError
   * (naming the file and the cause) when the write fails; the data stays dirty for a retry.
   */
  async flush(): Promise<void> {
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    const run = this.writing.then(() => this.write());
    this.writing = run.catch(() => undefined);
    await run;
  }

  /** Stops the debounce timer and writes what is pending. */
  async stop(): Promise<void> {
    if (this.dirty) await this.flush();
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    await this.writing;
  }

  private async write(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      this.deps.beforeWrite?.(this.envelope.data);
      const { version } = this.envelope;
      const chunks = await this.chunks();
      const digest = await this.digest(chunks);
      if (this.onDisk?.version === version && digest === this.onDisk.digest) {
        this.counters.unchanged++;
        return;
      }
      const savedAt = this.deps.clock.now();
      const bytes = await this.stateFile.write([`{"version":${version},"savedAt":${savedAt},"data":`, ...chunks, '}']);
      this.envelope.savedAt = savedAt;
      this.onDisk = { version, digest };
      this.counters.writes++;
      this.counters.bytesWritten += bytes;
      this.lastWrite = { at: this.deps.clock.now(), gapMs: this.gapAfter(bytes) };
    } catch (err) {
      this.dirty = true;
      this.counters.failures++;
      this.counters.lastError = describeError(err);
      throw err;
    }
  }

  /** The data's JSON in pieces, the loop let through between them. */
  private chunks(): Promise<string[]> {
    return jsonChunks(this.envelope.data, { pause: this.deps.pause ?? nextTurn });
  }

  /** SHA-256 of the chunks, the loop let through about every megabyte. */
  private async digest(chunks: readonly string[]): Promise<string> {
    const hash = createHash('sha256');
    let since = 0;
    for (const chunk of chunks) {
      hash.update(chunk);
      since += chunk.length;
      if (since >= 2 ** 20) {
        since = 0;
        await (this.deps.pause ?? nextTurn)();
      }
    }
    return hash.digest('hex');
  }

  /** How long background writes wait after one of `bytes`: the least gap, longer for a big file. */
  private gapAfter(bytes: number): number {
    const byBudget = (bytes / (this.deps.bytesPerDay ?? 90 * 2 ** 20)) * DAY_MS;
    return Math.max(this.deps.minGapMs ?? 6 * 3_600_000, byBudget);
  }

  /** Arms the background write (`atLeastMs`: a retry after a failure waits longer than a debounce). */
  private schedule(atLeastMs = this.deps.debounceMs ?? 5000): void {
    if (this.timer) return;
    const now = this.deps.clock.now();
    const allowed = this.lastWrite ? this.lastWrite.at + this.lastWrite.gapMs - now : 0;
    this.timer = this.deps.clock.setTimer(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => {
        this.deps.logger.warn(`Saving state in the background failed: ${describeError(err)}; retrying in a minute`);
        this.schedule(RETRY_MS);
      });
    }, Math.max(atLeastMs, allowed));
  }

  private fresh(): Envelope<T> {
    return { version: this.deps.schema.version, savedAt: this.deps.clock.now(), data: this.deps.schema.empty() };
  }

  /** Validates what was read (null = no file yet) and migrates older versions. */
  private accept(raw: unknown): Envelope<T> {
    if (raw === null) return this.fresh();
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new StoreLoadError('not a JSON object');
    const env = raw as Partial<Envelope<unknown>>;
    const { version } = this.deps.schema;
    if (typeof env.version !== 'number') throw new StoreLoadError('no schema version');
    if (env.version > version) throw new StoreLoadError(`schema version ${env.version} is newer than ${version}`);
    const data = env.version < version ? this.deps.schema.migrate(env.data, env.version) : env.data;
    this.deps.schema.check?.(data);
    if (env.version < version) {
      this.deps.logger.info(`Migrated ${this.deps.file} from schema version ${env.version} to ${version}`);
      this.dirty = true;
      this.schedule();
    }
    return { version, savedAt: typeof env.savedAt === 'number' ? env.savedAt : 0, data: data as T };
  }

  private async setAside(reason: string): Promise<void> {
    const target = `${this.deps.file}.unreadable-${this.deps.clock.now()}`;
    try {
      await (this.deps.moveAside ?? rename)(this.deps.file, target);
      this.deps.logger.warn(`${this.deps.file} could not be loaded (${reason}); moved it to ${target} and started fresh`);
    } catch (err) {
      this.deps.logger.warn(`${this.deps.file} could not be loaded (${reason}) nor moved aside (${describeError(err)}); starting fresh`);
    }
  }
}

/** Equal piece by piece means equal text (the pieces of one value are cut at the same places). */
