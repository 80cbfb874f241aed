/**
 * The app wired to the test Home Assistant for component tests: simulated devices on a virtual bus,
 * a virtual clock moved forward in small steps while real sockets do their work (advanceUntil), and
 * a logger that keeps every line at every level without redacting, so tests can prove no token is
 * ever handed to the logger.
 */
import { PassThrough } from 'node:stream';
import { createApp, type App, type AppDeps } from '../../src/app.js';
import type { Logger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../../src/modbus/types.js';
import { SimDevice, type SimPointSpec } from '../../src/sim/simDevice.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';
import { FakeHomeAssistant } from './fakeHomeAssistant.js';

export const TOKEN = 'rig-secret-token-0123456789';

export const CONN: ConnectionDef = {
  name: 'sim', type: 'tcp', host: 'sim', port: 502, serialPort: '', baudrate: 9600, parity: 'none',
  dataBits: 8, stopBits: 1, timeoutMs: 1000, messageWaitMs: 0, maxRegistersPerRead: 125, turnaroundMs: 2,
};

function entity(id: string, name: string, extra: Partial<EntityDef>): EntityDef {
  return {
    id, name, connection: 'sim', unitId: 1, registerType: 'holding', address: 0, dataType: 'uint16', swap: 'none',
    count: 1, scale: 1, offset: 0, precision: undefined, unitOfMeasurement: undefined, deviceClass: undefined,
    stateClass: undefined, scanIntervalMs: 5000, minIntervalMs: 1000, maxIntervalMs: 600_000, ...extra,
  };
}

/**
 * Setpoint (holding 0, writable within 0…60), power (input 10, moving), relay (coil 0, writable),
 * dial (holding 1, not writable), and ghost (a unit that never answers).
 */
export const ENTITIES: EntityDef[] = [
  entity('setpoint', 'Setpoint', { unitOfMeasurement: '°C', deviceClass: 'temperature', stateClass: 'measurement', writable: true, writeMin: 0, writeMax: 60 }),
  entity('power', 'Power', { registerType: 'input', address: 10, unitOfMeasurement: 'W', deviceClass: 'power', stateClass: 'measurement' }),
  entity('relay', 'Relay', { registerType: 'coil', address: 0, dataType: 'bool', writable: true }),
  entity('dial', 'Dial', { address: 1 }),
  entity('ghost', 'Ghost', { unitId: 9, address: 3 }),
];

const POINTS: SimPointSpec[] = [
  { id: 'setpoint', name: 'Setpoint', registerType: 'holding', address: 0, dataType: 'uint16', process: { kind: 'constant', initial: 42 } },
  { id: 'power', name: 'Power', registerType: 'input', address: 10, dataType: 'uint16',
    process: { kind: 'walk', initial: 1000, step: 10, min: 0, max: 5000, ratePerHour: () => 3600, peakRatePerHour: 3600 } },
  { id: 'relay', name: 'Relay', registerType: 'coil', address: 0, dataType: 'bool', process: { kind: 'constant', initial: 1 } },
];

export interface CapturingLogger extends Logger {
  lines: string[];
}

/** Keeps every line at every level and redacts nothing. */
export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => { lines.push(`${level} ${msg}`); };
  return {
    lines, trace: at('TRACE'), debug: at('DEBUG'), info: at('INFO'), notice: at('NOTICE'), warn: at('WARNING'),
    error: at('ERROR'), fatal: at('FATAL'), addSecret: () => undefined, setLevel: () => undefined,
  };
}

export interface Rig {
  app: App;
  clock: VirtualClock;
  logger: CapturingLogger;
  stdin: PassThrough;
  /** Moves virtual time in steps, letting real I/O run, until `check` holds. */
  advanceUntil<T>(check: () => T | undefined | false, what: string, maxVirtualMs?: number): Promise<T>;
  /** Moves virtual time by `ms` in steps, letting real I/O run. */
  run(ms: number): Promise<void>;
  stop(): Promise<void>;
}

const realPause = () => new Promise((r) => setTimeout(r, 2));

export function buildRig(ha: FakeHomeAssistant | undefined, overrides: Partial<AppDeps> = {}): Rig {
  const clock = new VirtualClock();
  const logger = capturingLogger();
  const device = new SimDevice({
    name: 'dev', unitId: 1, turnaroundMs: 2, ranges: { holding: [[0, 4]], input: [[10, 12]], coil: [[0, 4]] }, points: POINTS,
  }, 3, clock.now());
  const stdin = new PassThrough();
  const app = createApp({
    clock, random: seededRandom(1), logger, connections: [CONN], entities: ENTITIES, statusEveryMs: 0,
    createBus: (conn) => new VirtualBus({ key: busKeyOf(conn), clock, devices: [device], timing: { baudrate: 9600, roundTripMs: 1 } }),
    homeAssistant: ha && { url: ha.url, token: TOKEN, retryBaseMs: 200, retryMaxMs: 2000 },
    commandInput: stdin, statisticsEveryMs: 10_000,
    ...overrides,
  });
  const step = async (ms: number) => {
    await clock.advance(ms);
    await realPause();
  };
  return {
    app, clock, logger, stdin,
    async advanceUntil(check, what, maxVirtualMs = 600_000) {
      const deadline = clock.now() + maxVirtualMs;
      const realDeadline = new Date().getTime() + 20_000;
      for (;;) {
        const value = check();
        if (value) return value;
        if (clock.now() > deadline || new Date().getTime() > realDeadline) {
          throw new Error(`timed out waiting for ${what}; log:\n${logger.lines.slice(-30).join('\n')}`);
        }
        await step(100);
      }
    },
    async run(ms) {
      const end = clock.now() + ms;
      while (clock.now() < end) await step(Math.min(100, end - clock.now()));
    },
    async stop() {
      stdin.end();
      const stopped = app.stop();
      for (let i = 0; i < 50; i++) await step(100); // cycles in flight finish in virtual time
      await stopped;
    },
  };
}
