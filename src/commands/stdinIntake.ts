/**
 * Commands from standard input: `hassio.app_stdin` (and the legacy `hassio.addon_stdin`) write
 * `json.dumps(input)` and a newline to the app's stdin, so each line is one JSON value. main.ts
 * passes process.stdin in; tests pass any readable stream. A closed stdin (no `stdin: true`, or a
 * run without a terminal) just ends the intake.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CommandRegistry } from './registry.js';

export interface StdinIntakeDeps {
  input: Readable;
  registry: CommandRegistry;
  logger: Logger;
}

export class StdinIntake {
  private lines: Interface | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: StdinIntakeDeps) {}

  start(): void {
    const lines = createInterface({ input: this.deps.input, crlfDelay: Infinity, terminal: false });
    this.lines = lines;
    lines.on('line', (line) => {
      const p = this.deps.registry.handleLine(line, { source: 'stdin' })
        .catch((err: unknown) => this.deps.logger.error(`stdin command failed unexpectedly: ${describeError(err)}`))
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    });
    lines.on('close', () => this.deps.logger.debug('stdin closed: no more commands from it'));
  }

  /** Stops reading; waits for commands already started. */
  async stop(): Promise<void> {
    this.lines?.close();
    this.lines = undefined;
    await Promise.all([...this.inFlight]);
  }
}
