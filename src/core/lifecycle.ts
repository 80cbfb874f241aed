/**
 * One lifecycle for the app's long-running parts. The composition root lists its parts once, in the
 * order they must start (what others depend on first); they are stopped in the reverse order. A
 * part that fails to start is named, the parts already started are stopped again (so no timer or
 * socket is left behind), and the start fails with that name. Stopping never stops early: each
 * part's failure is logged with its name and the remaining parts still stop.
 */
import { describeError } from './errors.js';
import type { Logger } from './logger.js';

export interface Part {
  /** What a person reads in the log: "poller", "Home Assistant", "bus tcp:127.0.0.1:502". */
  readonly name: string;
  /** Takes timers, sockets and subscriptions. Absent: nothing to start. */
  start?(): Promise<void> | void;
  /** Gives back exactly what start took. Absent: nothing to stop. */
  stop?(): Promise<void> | void;
}

export class PartStartError extends Error {
  constructor(readonly part: string, cause: unknown) {
    super(`Starting ${part} failed: ${describeError(cause)}`, { cause });
    this.name = 'PartStartError';
  }
}

export class Lifecycle {
  private started: Part[] = [];
  private readonly parts: readonly Part[];

  constructor(private readonly logger: Logger, parts: ReadonlyArray<Part | undefined>) {
    this.parts = parts.filter((p): p is Part => p !== undefined);
  }

  /** The parts' names in start order (for logs and tests). */
  names(): string[] {
    return this.parts.map((p) => p.name);
  }

  /** Starts every part in order; on a failure stops those already started and throws a PartStartError. */
  async start(): Promise<void> {
    for (const part of this.parts) {
      try {
        await part.start?.();
      } catch (err) {
        const failure = new PartStartError(part.name, err);
        this.logger.error(failure.message);
        await this.stop();
        throw failure;
      }
      this.started.push(part);
    }
  }

  /** Stops the started parts in reverse order; a part that fails to stop is logged and the rest still stop. */
  async stop(): Promise<void> {
    const running = this.started.reverse();
    this.started = [];
    for (const part of running) {
      try {
        await part.stop?.();
      } catch (err) {
        this.logger.error(`Stopping ${part.name} failed: ${describeError(err)}`);
      }
    }
  }
}
