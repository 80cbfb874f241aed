// The publisher with a scripted poster and the virtual clock: only differences are posted, the
// newest value wins while a post is in flight or HA is failing, failures back off, 400s are not
// retried, foreign entities are never posted, and open() (after each ready) posts everything again.
import { describe, expect, it } from '@jest/globals';
import { createMemoryLogger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { HaRestError } from '../../src/ha/haErrors.js';
import { StatePublisher } from '../../src/ha/publisher.js';
import type { StateBody } from '../../src/ha/restClient.js';

interface Call { id: string; state: string; resolve(status: number): void; reject(err: Error): void }

function rig(options: { ownershipCheck?: () => void } = {}) {
  const clock = new VirtualClock(0);
  const calls: Call[] = [];
  const logger = createMemoryLogger();
  const publisher = new StatePublisher({
    clock, random: seededRandom(2), logger, retryBaseMs: 1000, retryMaxMs: 8000, requestOwnershipCheck: options.ownershipCheck,
    post: (id: string, body: StateBody) => new Promise<number>((resolve, reject) => calls.push({ id, state: body.state, resolve, reject })),
  });
  const settle = async () => { for (let i = 0; i < 10; i++) await Promise.resolve(); };
  return { clock, calls, logger, publisher, settle };
}

describe('StatePublisher', () => {
  it('posts only differences, one at a time, newest value winning', async () => {
    const r = rig();
    r.publisher.open();
    await r.settle();
    r.publisher.set('sensor.a', '1', {});
    r.publisher.set('sensor.a', '2', {}); // in flight: '1'; '2' waits
    r.publisher.set('sensor.a', '3', {}); // replaces '2'
    await r.settle();
    expect(r.calls.map((c) => c.state)).toEqual(['1']);
    r.calls[0]?.resolve(201);
    await r.settle();
    expect(r.calls.map((c) => c.state)).toEqual(['1', '3']);
    r.calls[1]?.resolve(200);
    await r.settle();
    r.publisher.set('sensor.a', '3', { }); // same as posted
    await r.settle();
    expect(r.calls).toHaveLength(2);
    expect(r.publisher.pendingCount()).toBe(0);
  });

  it('sees an attribute change even when the state and the attributes object stay the same', async () => {
    const r = rig();
    r.publisher.open();
    const attributes: Record<string, unknown> = { unit_of_measurement: 'W', extra: { a: 1 } };
    r.publisher.set('sensor.a', '1', attributes);
    await r.settle();
    r.calls[0]?.resolve(200);
    await r.settle();
    attributes.unit_of_measurement = 'kW'; // a primitive changed in place
    r.publisher.set('sensor.a', '1', attributes);
    expect(r.publisher.current('sensor.a')?.attributes.unit_of_measurement).toBe('kW');
    await r.settle();
    r.calls[1]?.resolve(200);
    await r.settle();
    (attributes.extra as { a: number }).a = 2; // a nested value changed in place
    r.publisher.set('sensor.a', '1', attributes);
    await r.settle();
    r.calls[2]?.resolve(200);
    await r.settle();
    r.publisher.set('sensor.a', '1', { ...attributes, unit_of_measurement: undefined }); // a key set to undefined is dropped
    await r.settle();
    r.calls[3]?.resolve(200);
    await r.settle();
    r.publisher.set('sensor.a', '1', { extra: { a: 2 } }); // equal to what was posted: nothing to send
    await r.settle();
    expect(r.calls).toHaveLength(4);
    expect(r.publisher.current('sensor.a')?.attributes).toMatchObject({ extra: { a: 2 }, managed_by: 'modbus_optimizer' });
    expect(r.publisher.pendingCount()).toBe(0);
  });

  it('backs off on retryable failures, keeps the newest value, and catches up', async () => {
    const r = rig();
    r.publisher.open();
    r.publisher.set('sensor.a', '1', {});
    await r.settle();
    r.calls[0]?.reject(new HaRestError('sensor.a', 503, true, 'HTTP 503'));
    await r.settle();
    r.publisher.set('sensor.a', '2', {});
    r.publisher.set('sensor.b', 'x', {});
    await r.clock.advance(400);
    expect(r.calls).toHaveLength(1); // waiting out the back-off (500..1000 ms)
    await r.clock.advance(600);
    expect(r.calls.map((c) => c.state)).toEqual(['1', '2']);
    r.calls[1]?.reject(new HaRestError('sensor.a', undefined, true, 'timeout'));
    await r.clock.advance(900);
    expect(r.calls).toHaveLength(2); // second back-off is 1000..2000 ms
    await r.clock.advance(1200);
    r.calls[2]?.resolve(200);
    await r.settle();
    r.calls[3]?.resolve(201);
    await r.settle();
    expect(r.calls.map((c) => `${c.id}=${c.state}`)).toEqual(['sensor.a=1', 'sensor.a=2', 'sensor.a=2', 'sensor.b=x']);
    expect(r.publisher.pendingCount()).toBe(0);
    expect(r.logger.lines.filter((l) => l.startsWith('WARNING'))).toHaveLength(1);
  });

  it('does not retry a value HA rejected as invalid, but posts the next one', async () => {
    const r = rig();
    r.publisher.open();
    r.publisher.set('sensor.a', 'bad', {});
    await r.settle();
    r.calls[0]?.reject(new HaRestError('sensor.a', 400, false, 'HTTP 400'));
    await r.clock.advance(60_000);
    expect(r.calls).toHaveLength(1);
    r.publisher.set('sensor.a', 'good', {});
    await r.settle();
    expect(r.calls.map((c) => c.state)).toEqual(['bad', 'good']);
  });

  it('skips entities someone else owns and posts everything again on open()', async () => {
    const r = rig({ ownershipCheck: () => undefined });
    r.publisher.declare('sensor.mine', 'entities[0]');
    r.publisher.declare('sensor.theirs', 'entities[1]');
    r.publisher.checkOwnership([{ entity_id: 'sensor.theirs', attributes: {} }, { entity_id: 'sensor.mine', attributes: { managed_by: 'modbus_optimizer' } }]);
    r.publisher.open();
    r.publisher.set('sensor.theirs', '1', {});
    r.publisher.set('sensor.mine', '1', {});
    await r.settle();
    r.calls[0]?.resolve(200);
    await r.settle();
    expect(r.calls.map((c) => c.id)).toEqual(['sensor.mine']);
    expect(r.logger.lines.find((l) => l.startsWith('ERROR'))).toMatch(/sensor\.theirs already exists .* It comes from entities\[1\]/);
    r.publisher.close();
    r.publisher.open(); // as after a reconnect
    await r.settle();
    expect(r.calls.map((c) => c.id)).toEqual(['sensor.mine', 'sensor.mine']);
  });

  it('asks for an ownership check before posting an entity declared after the last one', async () => {
    let asked = 0;
    const r = rig({ ownershipCheck: () => { asked++; } });
    r.publisher.checkOwnership([]);
    r.publisher.open();
    r.publisher.declare('sensor.late', 'a late provider');
    r.publisher.set('sensor.late', '1', {});
    await r.settle();
    expect(asked).toBe(1);
    expect(r.calls).toHaveLength(0);
    r.publisher.checkOwnership([]);
    r.publisher.open();
    await r.settle();
    expect(r.calls.map((c) => c.id)).toEqual(['sensor.late']);
  });

  it('stop releases its timer', async () => {
    const r = rig();
    r.publisher.open();
    r.publisher.set('sensor.a', '1', {});
    await r.settle();
    r.calls[0]?.reject(new HaRestError('sensor.a', 502, true, 'HTTP 502'));
    await r.settle();
    expect(r.clock.pendingCount).toBe(1);
    await r.publisher.stop();
    expect(r.clock.pendingCount).toBe(0);
  });
});
