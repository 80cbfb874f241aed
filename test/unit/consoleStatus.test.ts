// What the console says (src/telemetry/consoleStatus.ts): one summary after the first full poll
// (entities, requests per full cycle with the learned holes, failures named up to five), values only
// at debug, and one compact line per bus and interval with staleness and the optimizer's last action.
import { describe, expect, it } from '@jest/globals';
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { HoleRange } from '../../src/modbus/holes.js';
import type { BusStatus, EntityStatus, PollerEvents, Sample } from '../../src/modbus/pollerTypes.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../../src/modbus/types.js';
import { BusWindows } from '../../src/telemetry/busWindows.js';
import { consoleStatus, formatBusLine, reportFirstPoll } from '../../src/telemetry/consoleStatus.js';

const CONN: ConnectionDef = {
  name: 'gw', type: 'tcp', host: 'gw', port: 502, serialPort: '/dev/ttyUSB0', baudrate: 9600, parity: 'none', dataBits: 8,
  stopBits: 1, timeoutMs: 1000, messageWaitMs: 0, maxRegistersPerRead: 125, turnaroundMs: 20,
};
const BUS = busKeyOf(CONN);

function entity(id: string, address: number): EntityDef {
  return {
    id, name: id, connection: 'gw', unitId: 1, registerType: 'holding', address, dataType: 'uint16', swap: 'none', count: 1,
    scale: 1, offset: 0, precision: undefined, unitOfMeasurement: 'V', deviceClass: undefined, stateClass: undefined,
    scanIntervalMs: 15_000, minIntervalMs: 1000, maxIntervalMs: 3_600_000,
  };
}

function rig(entities: EntityDef[], holes: HoleRange[] = []) {
  const clock = new VirtualClock(0);
  const logger = createMemoryLogger();
  const events = new EventBus<PollerEvents>(logger);
  const status: EntityStatus[] = [];
  const poller = { allEntityStatus: () => status, holeList: () => holes.map((h) => ({ ...h, bus: BUS })) };
  return { clock, logger, events, status, deps: { clock, logger, entities, connections: [CONN], poller } };
}

const sample = (entityId: string, value: number): Sample => ({ entityId, value, raw: [value], at: 0, changed: false, sincePreviousMs: undefined, intervalMs: 15_000, reason: 'schedule' });

describe('first-poll summary', () => {
  it('waits for every entity, then counts requests per full cycle around the learned holes; values at debug', () => {
    const entities = [entity('a', 0), entity('b', 1), entity('c', 40)];
    const { events, logger, deps } = rig(entities, [{ unitId: 1, fn: 3, start: 1, end: 2 }]);
    reportFirstPoll(deps, events);
    events.emit('sample', sample('a', 230));
    events.emit('sample', sample('c', 7));
    expect(logger.lines).toEqual([]);
    events.emit('sample', sample('b', 5));
    events.emit('sample', sample('b', 6)); // later samples say nothing more
    // over TCP a and c would share a block; the hole at 1 splits a from c, and b is read alone
    expect(logger.lines).toEqual([
      'INFO First poll complete: 3 read, 0 failed; 3 requests per full cycle, 1 illegal-address ranges learned',
      'DEBUG First values: a=230, c=7, b=5',
    ]);
  });

  it('names at most five failures and counts the rest', () => {
    const entities = Array.from({ length: 8 }, (_, i) => entity(`e${i}`, i));
    const { events, logger, deps } = rig(entities);
    reportFirstPoll(deps, events);
    for (let i = 0; i < 7; i++) events.emit('readError', { entityId: `e${i}`, at: 0, error: new Error('timeout'), consecutiveErrors: 1 });
    events.emit('sample', sample('e7', 1));
    expect(logger.lines[0]).toBe('INFO First poll complete: 1 read, 7 failed; 1 requests per full cycle, 0 illegal-address ranges learned; ' +
      'failed: e0 (timeout), e1 (timeout), e2 (timeout), e3 (timeout), e4 (timeout), and 2 more');
  });
});

describe('per-bus status lines', () => {
  it('logs one compact line per bus and interval, with values only at debug', async () => {
    const { clock, logger, status, deps } = rig([entity('a', 0)]);
    const bus: BusStatus = { key: BUS, requests: 0, registers: 0, busyMs: 0, modelledBusMs: 0, errors: 0, overruns: 0, cycles: 0, since: 0 };
    const last: { action?: { at: number; what: string } } = {};
    const status$ = consoleStatus({
      ...deps, busWindows: new BusWindows({ busStatus: () => [{ ...bus }] }, clock), statusEveryMs: 60_000,
      stalenessMs: (list) => (list.length ? 1500 : undefined), lastOptimizerAction: () => last.action,
    });
    status.push({ id: 'a', bus: BUS, lastValue: 230 } as EntityStatus);
    status$.start();
    Object.assign(bus, { requests: 30, busyMs: 1200, errors: 1 });
    await clock.advance(60_000);
    last.action = { at: 60_000, what: `interval: ${'x'.repeat(100)}` };
    await clock.advance(180_000);
    status$.stop();
    await clock.advance(600_000);
    const info = logger.lines.filter((l) => l.startsWith('INFO'));
    expect(info).toEqual([
      `INFO bus ${BUS}: 30.0 req/min, bus 2.0%, 1 errors, staleness 1.5 s`,
      `INFO bus ${BUS}: 0.0 req/min, bus 0.0%, 0 errors, staleness 1.5 s; optimizer: interval: ${'x'.repeat(69)}… (1 min ago)`,
      `INFO bus ${BUS}: 0.0 req/min, bus 0.0%, 0 errors, staleness 1.5 s; optimizer: interval: ${'x'.repeat(69)}… (2 min ago)`,
      `INFO bus ${BUS}: 0.0 req/min, bus 0.0%, 0 errors, staleness 1.5 s; optimizer: interval: ${'x'.repeat(69)}… (3 min ago)`,
    ]);
    expect(logger.lines.filter((l) => l.startsWith('DEBUG'))[0]).toBe('DEBUG values: a=230 V');
  });

  it('shows overruns only when there were some', () => {
    const d = { key: 'k', requests: 1, requestsPerMin: 1, registersPerRequest: 1, utilisation: 0.5, modelledUtilisation: 0.5, errors: 0, overruns: 3 };
    expect(formatBusLine(d, undefined, undefined)).toBe('bus k: 1.0 req/min, bus 50.0%, 0 errors, 3 overruns');
  });
});
