/**
 * The one command registry. Every way a command arrives (JSON lines on stdin, Home Assistant
 * events, the dashboard) goes through handle(); every command (Modbus and optimizer alike) is
 * registered with a name, an argument parser and a runner. Nothing a caller sends can throw out of
 * here: malformed JSON, a non-object, an unknown command, bad arguments and failures inside a
 * command all become an error result naming the problem, which is logged and passed to the result
 * listeners (the HA event, the audit log).
 */
import type { Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { Args } from './args.js';
import {
  CommandError, describeCaller, type Caller, type CommandErrorCode, type CommandOutcome, type CommandResult,
} from './types.js';

export interface CommandSpec<A> {
  name: string;
  /** One line for the README and for "unknown command" answers. */
  summary: string;
  /** Reads the arguments; call args.finish() last (it throws on any problem). */
  parse(args: Args): A;
  run(args: A, caller: Caller): Promise<unknown>;
}

export interface RegistryDeps {
  clock: Clock;
  logger: Logger;
}

/** Keys every request may carry besides its arguments. */
const ENVELOPE_KEYS = ['command', 'request_id'];
const MAX_LOGGED = 400;

export class CommandRegistry {
  private readonly specs = new Map<string, CommandSpec<unknown>>();
  private readonly listeners: Array<(outcome: CommandOutcome) => void> = [];

  constructor(private readonly deps: RegistryDeps) {}

  register<A>(spec: CommandSpec<A>): void {
    if (this.specs.has(spec.name)) throw new Error(`command ${spec.name} is already registered`);
    this.specs.set(spec.name, spec as CommandSpec<unknown>);
  }

  names(): string[] {
    return [...this.specs.keys()];
  }

  /** Called with every result (success or error). */
  onResult(fn: (outcome: CommandOutcome) => void): void {
    this.listeners.push(fn);
  }

  /** One line of input as `hassio.app_stdin` writes it: one JSON value. Blank lines are ignored. */
  async handleLine(line: string, caller: Caller): Promise<CommandResult | undefined> {
    const text = line.trim();
    if (text === '') return undefined;
    let input: unknown;
    try {
      input = JSON.parse(text) as unknown;
    } catch (err) {
      const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
      return this.finish(caller, { command: null, success: false,
        error: { code: 'invalid_json', message: `not valid JSON (${describeError(err).replace(/, ".*" is not valid JSON$/s, '')}): ${shown}` } });
    }
    return this.handle(input, caller);
  }

  /** A parsed request object, e.g. the data of a `modbus_optimizer_command` event. */
  async handle(input: unknown, caller: Caller): Promise<CommandResult> {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      const kind = Array.isArray(input) ? 'a list' : input === null ? 'null' : `a ${typeof input}`;
      return this.fail(caller, null, undefined, 'not_an_object',
        `expected a JSON object like {"command": "get_statistics"}, got ${kind}`);
    }
    const request = input as Record<string, unknown>;
    const requestId = request.request_id;
    const echo = typeof requestId === 'string' || typeof requestId === 'number' ? requestId : undefined;
    const name = request.command;
    if (requestId !== undefined && echo === undefined) {
      return this.fail(caller, typeof name === 'string' ? name : null, undefined, 'invalid_argument', 'request_id must be a string or a number');
    }
    if (name === undefined || name === null) return this.fail(caller, null, echo, 'missing_argument', `command is required (one of ${this.names().join(', ')})`);
    if (typeof name !== 'string') return this.fail(caller, null, echo, 'invalid_argument', 'command must be a string');
    const spec = this.specs.get(name);
    if (!spec) return this.fail(caller, name, echo, 'unknown_command', `unknown command "${name}"; known: ${this.names().join(', ')}`);
    const raw = Object.fromEntries(Object.entries(request).filter(([k]) => !ENVELOPE_KEYS.includes(k)));
    try {
      const args = spec.parse(new Args(raw));
      const result = await spec.run(args, caller);
      return this.finish(caller, { ...(echo === undefined ? {} : { request_id: echo }), command: name, success: true, result });
    } catch (err) {
      const code: CommandErrorCode = err instanceof CommandError ? err.code : 'failed';
      return this.fail(caller, name, echo, code, describeError(err));
    }
  }

  private fail(caller: Caller, command: string | null, echo: string | number | undefined, code: CommandErrorCode, message: string): CommandResult {
    return this.finish(caller, { ...(echo === undefined ? {} : { request_id: echo }), command, success: false, error: { code, message } });
  }

  private finish(caller: Caller, result: CommandResult): CommandResult {
    const what = `Command ${result.command ?? '(none)'}${result.request_id === undefined ? '' : ` [${result.request_id}]`} from ${describeCaller(caller)}`;
    if (result.success) this.deps.logger.info(`${what}: ${clip(JSON.stringify(result.result) ?? 'null')}`);
    else this.deps.logger.warn(`${what} failed: ${result.error?.code}: ${result.error?.message}`);
    const outcome = { caller, at: this.deps.clock.now(), result };
    for (const fn of this.listeners) {
      try {
        fn(outcome);
      } catch (err) {
        this.deps.logger.error(`A command result listener failed: ${describeError(err)}`);
      }
    }
    return result;
  }
}

function clip(text: string): string {
  return text.length > MAX_LOGGED ? `${text.slice(0, MAX_LOGGED - 3)}...` : text;
}
