/**
 * One app per data folder. Two instances on one folder would poll the same buses twice and overwrite
 * each other's state file, each losing what the other learned — so the first takes a lock file in the
 * folder holding its process id, and a second is refused with a message naming that pid. A lock left
 * by a process that is no longer running (kill -9, power cut, a container restarted) is taken over,
 * with a warning. The lock is given back at stop, only if it is still this process's.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/logger.js';

export const LOCK_FILE = 'modbus_optimizer.lock';

/** Another running instance holds the data folder. */
export class DataFolderLockedError extends Error {
  constructor(readonly lockFile: string, readonly pid: number) {
    super(`another Modbus Optimizer (pid ${pid}) is using the data folder ${path.dirname(lockFile)}: stop it first `
      + `(if pid ${pid} is not this app, delete ${lockFile})`);
    this.name = 'DataFolderLockedError';
  }
}

export interface DataLockDeps {
  dir: string;
  logger: Logger;
  /** This process's id. */
  pid: number;
  /** Whether `pid` is a running instance of this app (main.ts asks the operating system). */
  isRunning(pid: number): Promise<boolean>;
}

export class DataLock {
  private held = false;

  constructor(private readonly deps: DataLockDeps) {}

  get file(): string {
    return path.join(this.deps.dir, LOCK_FILE);
  }

  /** Takes the lock, or takes over a stale one; throws DataFolderLockedError when another instance runs. */
  async acquire(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.create()) {
        this.held = true;
        return;
      }
      const holder = await this.holder();
      if (holder === undefined) continue; // gone meanwhile: try again
      if (!Number.isNaN(holder) && holder !== this.deps.pid && (await this.deps.isRunning(holder))) throw new DataFolderLockedError(this.file, holder);
      this.deps.logger.warn(`Taking over the stale lock ${this.file} of pid ${Number.isNaN(holder) ? '(unreadable)' : holder}, which is not running`);
      await unlink(this.file).catch(() => undefined);
    }
    throw new Error(`could not take the lock ${this.file}: it keeps reappearing`);
  }

  /** Gives the lock back if this process still holds it. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    if ((await this.holder()) === this.deps.pid) await unlink(this.file);
  }

  /** Creates the lock file with this pid; false when one exists already. */
  private async create(): Promise<boolean> {
    let fh;
    try {
      fh = await open(this.file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    try {
      await fh.write(`${this.deps.pid}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  }

  /** The pid in the lock file (NaN when it holds no number), undefined when there is no file. */
  private async holder(): Promise<number | undefined> {
    try {
      const text = await readFile(this.file, 'utf8');
      return /^\d+\s*$/.test(text) ? Number(text) : NaN;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}
