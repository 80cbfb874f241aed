/**
 * Durable state in one JSON file through lowdb: everything the app learns (intervals, clusters,
 * statistics, holes, optimization history, audit log) survives restarts. Writes are atomic (lowdb's
 * steno writer renames a temp file over the old one) and debounced, with an explicit flush for
 * changes that must persist at once. A write whose data is what the file already holds is skipped (flash
 * storage is not worn by a save that changes nothing). The file carries a schema version; older versions are migrated,
 * and a file that is corrupt, unreadable or from a newer version is moved aside with a warning so
 * the app starts fresh instead of crashing or losing the evidence.
 */
import { rename } from 'node:fs/promises';
import { Low, type Adapter } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Clock, TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

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
  /** Delay between a change and its write, coalescing bursts (default 5 s). */
  debounceMs?: number;
  /** Storage adapter factory (tests and simulation may pass an in-memory one); default lowdb JSONFile. */
  createAdapter?: (file: string) => Adapter<Envelope<T>>;
  /** Moves a bad file aside; default renames it. */
  moveAside?: (from: string, to: string) => Promise<void>;
  /** Fills the data right before each write (so callers can mark dirty cheaply and copy state once). */
  beforeWrite?: (data: T) => void;
}

export class StoreLoadError extends Error {}

export class JsonStore<T> {
  private readonly db: Low<Envelope<T>>;
  private timer: TimerHandle | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  /** JSON of the data as the file holds it (undefined: unknown, e.g. before the first load). */
  private onDisk: string | undefined;
  /** JSON of the data being written now, so the adapter does not serialise it a second time. */
  private pending: string | undefined;

  constructor(private readonly deps: StoreDeps<T>) {
    // compact JSON: lowdb's JSONFile indents, which makes learned statistics files about 4× larger
    const adapter = deps.createAdapter?.(deps.file) ?? new DataFile<Envelope<T>>(deps.file, { parse: JSON.parse, stringify: (d) => this.render(d) });
    this.db = new Low(adapter, this.fresh());
  }

  get data(): T {
    return this.db.data.data;
  }

  /** Reads the file; never throws: a bad file is moved aside and the store starts empty. */
  async load(): Promise<T> {
    try {
      await this.db.read();
      const raw = this.db.data as unknown;
      this.db.data = this.accept(raw);
      // a migrated file (dirty after accept) must be rewritten even when its data reads the same
      this.onDisk = raw === null || raw === undefined || this.dirty ? undefined : JSON.stringify(this.db.data.data);
    } catch (err) {
      await this.setAside(describeError(err));
      this.db.data = this.fresh();
    }
    return this.data;
  }

  /** Applies a change; written after the debounce, or at once when `flush` is set. */
  async update(mutate: (data: T) => void, options: { flush?: boolean } = {}): Promise<void> {
    mutate(this.db.data.data);
    this.dirty = true;
    if (options.flush) await this.flush();
    else this.schedule();
  }

  /** Writes pending changes now. Rejects when the write fails (the data stays dirty for a retry). */
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
    this.deps.beforeWrite?.(this.db.data.data);
    const text = JSON.stringify(this.db.data.data);
    if (text === this.onDisk) return;
    this.db.data.savedAt = this.deps.clock.now();
    this.pending = text;
    try {
      await this.db.write();
      this.onDisk = text;
    } catch (err) {
      this.dirty = true;
      throw err;
    } finally {
      this.pending = undefined;
    }
  }

  /** The envelope as JSON, reusing the data's JSON made for the change check (key order as JSON.stringify's). */
  private render(env: Envelope<T>): string {
    if (this.pending === undefined || env !== this.db.data) return JSON.stringify(env);
    return `{"version":${JSON.stringify(env.version)},"savedAt":${JSON.stringify(env.savedAt)},"data":${this.pending}}`;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = this.deps.clock.setTimer(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => {
        this.deps.logger.warn(`Writing ${this.deps.file} failed: ${describeError(err)}; will retry`);
        this.schedule();
      });
    }, this.deps.debounceMs ?? 5000);
  }

  private fresh(): Envelope<T> {
    return { version: this.deps.schema.version, savedAt: this.deps.clock.now(), data: this.deps.schema.empty() };
  }

  /** Validates what was read (null = no file yet) and migrates older versions. */
  private accept(raw: unknown): Envelope<T> {
    if (raw === null || raw === undefined) return this.fresh();
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
