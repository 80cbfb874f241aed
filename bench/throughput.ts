/**
 * Transport overhead benchmark: the Bus adds a queue, pacing checks, back-off bookkeeping and error
 * classification on top of modbus-serial, and must not cost noticeable throughput (goal: ≥ 90 % of
 * a bare modbus-serial loop). Both loops read 10 holding registers sequentially, ~5 s each, from
 * the same pymodbus TCP server run as a child process (request logging off). A third figure keeps
 * four callers queued on the Bus (still one request in flight). The poller figure runs the real
 * Poller (heap, planner, block reader, decoding, sample events) over the same Bus with 20 entities of
 * 10 registers each, due continuously, so every read it makes is the same fc3 × 10 read as the bare
 * loop's (goal: ≥ 90 % of the bare loop). `run()` returns the report; executed directly it prints it.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import ModbusRTU from 'modbus-serial';
import { createSystemClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { createBus } from '../src/modbus/bus.js';
import { createModbusSerialLink } from '../src/modbus/link.js';
import { EventBus } from '../src/core/eventBus.js';
import { HoleSet } from '../src/modbus/holes.js';
import { Poller } from '../src/modbus/poller.js';
import type { PollerEvents } from '../src/modbus/pollerTypes.js';
import type { Bus } from '../src/modbus/transport.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../src/modbus/types.js';
import { freePort, loopbackConnection } from '../test/helpers/ports.js';
import { startPymodbusServer } from '../test/helpers/pymodbusServer.js';

const SECONDS = 5;
const GOAL_RATIO = 0.9;
const REGISTERS = 10;
const ROUNDS = 10;
const POLLER_ENTITIES = 20;

/** Reads counted over time spent, summed across rounds. */
interface Tally { reads: number; ms: number }
const rate = (t: Tally): number => t.reads / (t.ms / 1000);

/** Sequential reads for `ms`, added to `tally`. */
async function timed(ms: number, readOnce: () => Promise<unknown>, tally: Tally): Promise<void> {
  const start = performance.now();
  let reads = 0;
  while (performance.now() - start < ms) {
    await readOnce();
    reads++;
  }
  tally.reads += reads;
  tally.ms += performance.now() - start;
}

async function bareClient(conn: ConnectionDef): Promise<{ read: () => Promise<unknown>; close: () => Promise<void> }> {
  const client = new ModbusRTU.default();
  client.setTimeout(conn.timeoutMs);
  await client.connectTCP(conn.host, { port: conn.port });
  client.setID(1);
  let next = 0;
  return {
    read: () => client.readHoldingRegisters(nextAddress(next++), REGISTERS),
    close: () => new Promise<void>((resolve) => client.destroy(() => resolve())),
  };
}

function benchBus(conn: ConnectionDef): Bus {
  const clock = createSystemClock();
  return createBus({
    key: busKeyOf(conn),
    connectionName: conn.name,
    createLink: () => createModbusSerialLink(conn),
    clock,
    random: Math.random,
    logger: createLogger({ level: 'warning', now: clock.now }),
    options: { messageWaitMs: 0 },
  });
}

/** All loops walk the same POLLER_ENTITIES blocks of REGISTERS registers, as the poller does. */
function nextAddress(i: number): number {
  return (i % POLLER_ENTITIES) * REGISTERS;
}

/** Entities of REGISTERS registers each, back to back, always due (1 ms interval). */
function pollerEntities(conn: ConnectionDef): EntityDef[] {
  return Array.from({ length: POLLER_ENTITIES }, (_, i) => ({
    id: `e${i}`, name: `e${i}`, connection: conn.name, unitId: 1, registerType: 'holding', address: i * REGISTERS,
    dataType: 'string', swap: 'none', count: REGISTERS, scale: 1, offset: 0, precision: undefined,
    unitOfMeasurement: undefined, deviceClass: undefined, stateClass: undefined,
    scanIntervalMs: 1, minIntervalMs: 1, maxIntervalMs: 1000,
  }));
}

/** Runs the real Poller over `bus` for `ms` and adds the reads it made to `tally`. */
async function pollerWindow(conn: ConnectionDef, bus: Bus, ms: number, tally: Tally): Promise<void> {
  const clock = createSystemClock();
  const poller = new Poller({
    clock, logger: createLogger({ level: 'warning', now: clock.now }), connections: [conn], entities: pollerEntities(conn),
    buses: new Map([[bus.key, bus]]), holes: new HoleSet(), events: new EventBus<PollerEvents>(),
  });
  const start = performance.now();
  poller.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  await poller.stop();
  tally.reads += poller.busStatus()[0]?.requests ?? 0;
  tally.ms += performance.now() - start;
}

/**
 * Alternates short windows of the two loops (order swapped every round) so that load from anything
 * else on the machine hits both alike; a 5 s run of one followed by a 5 s run of the other does not.
 */
async function compare(conn: ConnectionDef, seconds: number): Promise<{ bare: number; bus: number; poller: number; queued: number }> {
  const bare = await bareClient(conn);
  const bus = benchBus(conn);
  let next = 0;
  const busRead = (): Promise<unknown> => bus.read({ unitId: 1, fn: 3, address: nextAddress(next++), count: REGISTERS });
  try {
    const warm: Tally = { reads: 0, ms: 0 };
    await timed(200, bare.read, warm);
    await timed(200, busRead, warm);
    const tBare: Tally = { reads: 0, ms: 0 };
    const tBus: Tally = { reads: 0, ms: 0 };
    const tPoller: Tally = { reads: 0, ms: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const windowMs = (seconds * 1000) / ROUNDS;
      const order: Array<() => Promise<void>> = [
        () => timed(windowMs, bare.read, tBare),
        () => timed(windowMs, busRead, tBus),
        () => pollerWindow(conn, bus, windowMs, tPoller),
      ];
      if (round % 2 === 1) order.reverse();
      for (const step of order) await step();
    }
    const tQueued: Tally = { reads: 0, ms: 0 };
    const queuedMs = Math.min(2_000, seconds * 1000);
    await Promise.all(Array.from({ length: 4 }, () => timed(queuedMs, busRead, tQueued)));
    tQueued.ms /= 4; // four callers shared the same wall time
    return { bare: rate(tBare), bus: rate(tBus), poller: rate(tPoller), queued: rate(tQueued) };
  } finally {
    await bus.stop();
    await bare.close();
  }
}

export async function run(seconds = SECONDS): Promise<string> {
  const port = await freePort();
  const holding = Array.from({ length: POLLER_ENTITIES * REGISTERS }, (_, i) => i);
  const server = await startPymodbusServer({ mode: 'tcp', port, log: false, units: { 1: { holding } } });
  try {
    const conn = loopbackConnection({ name: 'bench', port, timeoutMs: 2_000, maxRegistersPerRead: REGISTERS });
    const r = await compare(conn, seconds);
    const ratio = r.bus / r.bare;
    const pollerRatio = r.poller / r.bare;
    const verdict = (x: number) => (x >= GOAL_RATIO ? 'OK' : 'BELOW GOAL');
    return [
      `throughput: pymodbus 3.0 TCP on loopback, fc3 × ${REGISTERS} registers, ${seconds} s per loop in ${ROUNDS} alternating rounds`,
      `  bare modbus-serial loop:       ${r.bare.toFixed(0)} reads/s`,
      `  through createBus:             ${r.bus.toFixed(0)} reads/s`,
      `  through createBus, 4 callers:  ${r.queued.toFixed(0)} reads/s (still one in flight)`,
      `  through the Poller:            ${r.poller.toFixed(0)} reads/s (${POLLER_ENTITIES} entities × ${REGISTERS} registers, always due)`,
      `  ratio bus/bare: ${(ratio * 100).toFixed(1)} % (goal ≥ ${GOAL_RATIO * 100} %) ${verdict(ratio)}`,
      `  ratio poller/bare: ${(pollerRatio * 100).toFixed(1)} % (goal ≥ ${GOAL_RATIO * 100} %) ${verdict(pollerRatio)}`,
    ].join('\n');
  } finally {
    await server.stop();
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  run().then(
    (report) => console.log(report),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
