/**
 * Everything that needs the live websocket: after each `ready`, HA's states are checked for
 * entities someone else owns and the publisher re-posts everything; while disconnected it holds
 * values. Context entities and `modbus_optimizer_command` events are subscribed (the library
 * re-subscribes after reconnects); command results go out as `modbus_optimizer_result` events,
 * held (up to a bound) while Home Assistant is away so none is lost to a short outage.
 */
import type { HassEntity } from 'home-assistant-js-websocket';
import type { CommandRegistry } from '../commands/registry.js';
import type { CommandResult } from '../commands/types.js';
import type { Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import { HaConnection } from './connection.js';
import type { HaContext } from './contextStates.js';
import type { HaAuthError } from './haErrors.js';
import type { StatePublisher } from './publisher.js';

export const COMMAND_EVENT = 'modbus_optimizer_command';
export const RESULT_EVENT = 'modbus_optimizer_result';
const MAX_HELD_RESULTS = 100;

export interface HaLinkOptions {
  url: string;
  token: string;
  connectTimeoutMs?: number;
  heartbeatMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface HaLinkDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  options: HaLinkOptions;
  publisher: StatePublisher;
  context: HaContext;
  commands: CommandRegistry;
  onFatal(error: HaAuthError): void;
}

interface CommandEvent {
  data?: unknown;
  context?: { user_id?: unknown };
}

export class HaLink {
  private readonly connection: HaConnection;
  private readonly held: CommandResult[] = [];
  private readyCount = 0;
  private checking = false;

  constructor(private readonly deps: HaLinkDeps) {
    this.connection = new HaConnection({ ...deps.options, clock: deps.clock, random: deps.random, logger: deps.logger }, {
      onReady: () => void this.ready(),
      onDisconnected: () => deps.publisher.close(),
      onFatal: (err) => deps.onFatal(err),
    });
  }

  /** Whether the websocket is up now. */
  get connected(): boolean {
    return this.connection.connected;
  }

  /** How many times the connection became ready (first connect included). */
  get readies(): number {
    return this.readyCount;
  }

  start(): void {
    const { context, commands } = this.deps;
    if (context.watched().length > 0) this.connection.subscribe(context.subscription(), (msg) => context.handle(msg));
    this.connection.subscribe({ type: 'subscribe_events', event_type: COMMAND_EVENT }, (ev) => this.onCommandEvent(ev as CommandEvent));
    commands.onResult(({ result }) => this.sendResult(result));
    this.connection.start();
  }

  stop(): void {
    this.connection.stop();
  }

  /** Entities were declared after the last check (e.g. a new statistics provider): check again. */
  recheck(): void {
    if (!this.checking && this.connection.connected) void this.checkAndOpen();
  }

  private async ready(): Promise<void> {
    if (!(await this.checkAndOpen())) return;
    this.readyCount++;
    this.deps.logger.debug(`Home Assistant ready (#${this.readyCount})`);
    for (const result of this.held.splice(0)) this.sendResult(result);
  }

  /** get_states → ownership check → publisher open (everything posted again). */
  private async checkAndOpen(): Promise<boolean> {
    this.checking = true;
    let states: HassEntity[];
    try {
      states = await this.connection.getStates();
    } catch (err) {
      // The connection dropped again; the next `ready` repeats this.
      this.deps.logger.warn(`Could not read Home Assistant's states to check entity ownership: ${describeError(err)}`);
      return false;
    } finally {
      this.checking = false;
    }
    this.deps.publisher.checkOwnership(states);
    this.deps.publisher.open();
    return true;
  }

  private onCommandEvent(ev: CommandEvent): void {
    const userId = typeof ev.context?.user_id === 'string' ? ev.context.user_id : null;
    this.deps.commands.handle(ev.data ?? {}, { source: 'event', userId })
      .catch((err: unknown) => this.deps.logger.error(`Command event failed unexpectedly: ${describeError(err)}`));
  }

  private sendResult(result: CommandResult): void {
    if (!this.connection.connected) {
      this.hold(result);
      return;
    }
    this.connection.fireEvent(RESULT_EVENT, { ...result }).catch((err: unknown) => {
      this.deps.logger.debug(`Firing ${RESULT_EVENT} failed (${describeError(err)}); holding it for the next connection`);
      this.hold(result);
    });
  }

  private hold(result: CommandResult): void {
    if (this.held.length >= MAX_HELD_RESULTS) this.held.shift();
    this.held.push(result);
  }
}
