// The app against the test Home Assistant: sensors with their attributes, posts only on change,
// unavailable after a grace period, every state again after an HA restart, no clobbering of
// entities someone else owns, and a REST outage that polling never notices.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeHomeAssistant } from '../helpers/fakeHomeAssistant.js';
import { buildRig, TOKEN, type Rig } from '../helpers/haRig.js';

let ha: FakeHomeAssistant;
let rig: Rig | undefined;

beforeEach(async () => {
  ha = new FakeHomeAssistant({ token: TOKEN });
  await ha.start();
});
afterEach(async () => {
  await rig?.stop();
  if (rig) expect(rig.logger.lines.filter((l) => l.includes(TOKEN))).toEqual([]);
  rig = undefined;
  await ha.stop();
});

const OURS = ['sensor.setpoint', 'sensor.power', 'binary_sensor.relay'];
const postsFor = (id: string) => ha.posts.filter((p) => p.entityId === id);

async function started(): Promise<Rig> {
  rig = buildRig(ha);
  await rig.app.start();
  await rig.advanceUntil(() => OURS.every((id) => ha.state(id)), 'entity sensors in HA');
  return rig;
}

describe('publishing to Home Assistant', () => {
  it('posts each entity as sensor or binary_sensor with its attributes and the marker', async () => {
    await started();
    expect(ha.state('sensor.setpoint')).toMatchObject({
      state: '42',
      attributes: { friendly_name: 'Setpoint', unit_of_measurement: '°C', device_class: 'temperature', state_class: 'measurement', managed_by: 'modbus_optimizer' },
    });
    expect(ha.state('binary_sensor.relay')).toMatchObject({ state: 'on', attributes: { friendly_name: 'Relay', icon: 'mdi:toggle-switch-outline', managed_by: 'modbus_optimizer' } });
    expect(ha.state('binary_sensor.relay')?.attributes).not.toHaveProperty('unit_of_measurement');
    expect(ha.state('sensor.modbus_optimizer_requests_per_minute')?.attributes).toMatchObject({
      friendly_name: 'Modbus Optimizer requests per minute', unit_of_measurement: 'req/min', state_class: 'measurement', managed_by: 'modbus_optimizer',
    });
    for (const key of ['bus_utilisation', 'error_rate', 'entities_polled', 'mean_staleness', 'last_quick_optimization', 'history_length']) {
      expect(ha.state(`sensor.modbus_optimizer_${key}`)).toBeDefined();
    }
    expect(ha.state('sensor.modbus_optimizer_last_full_optimization')?.state).toBe('unknown');
  });

  it('posts a state only when it differs from the last post', async () => {
    const r = await started();
    await r.run(60_000); // twelve more polls of each entity
    expect(r.app.poller.entityStatus('setpoint')?.polls).toBeGreaterThanOrEqual(12);
    expect(postsFor('sensor.setpoint')).toHaveLength(1);
    expect(postsFor('binary_sensor.relay')).toHaveLength(1);
    const powerChanges = r.app.poller.entityStatus('power')?.changes ?? 0;
    expect(powerChanges).toBeGreaterThan(3);
    expect(postsFor('sensor.power')).toHaveLength(powerChanges + 1);
  });

  it('shows unavailable only after reads have kept failing past the grace period', async () => {
    const r = await started();
    await r.run(50_000); // failing every 5 s since the start, grace is 60 s
    expect(r.app.poller.entityStatus('ghost')?.consecutiveErrors).toBeGreaterThanOrEqual(9);
    expect(postsFor('sensor.ghost')).toHaveLength(0);
    await r.advanceUntil(() => ha.state('sensor.ghost'), 'ghost posted', 30_000);
    expect(ha.state('sensor.ghost')?.state).toBe('unavailable');
    expect(r.app.poller.entityStatus('ghost')?.errors).toBeGreaterThanOrEqual(12);
  });

  it('posts every state again after Home Assistant restarts', async () => {
    const r = await started();
    await r.run(15_000);
    const ours = ha.store.list().filter((s) => s.attributes.managed_by === 'modbus_optimizer').map((s) => s.entity_id).sort();
    expect(ours.length).toBeGreaterThanOrEqual(14);
    await ha.restart();
    expect(ha.store.list().filter((s) => s.attributes.managed_by)).toEqual([]);
    await r.advanceUntil(() => ours.every((id) => ha.state(id)), 'all states re-posted');
    expect(r.app.homeAssistant.link?.readies).toBe(2);
    expect(r.logger.lines.join('\n')).toMatch(/Home Assistant connection lost/);
  });

  it('never overwrites an entity that exists without the marker, and says which option produced it', async () => {
    ha.setState('sensor.setpoint', '7', { friendly_name: 'Somebody else' });
    ha.setState('sensor.modbus_optimizer_error_rate', '0', { friendly_name: 'Impostor' });
    const r = await started();
    await r.run(20_000);
    expect(postsFor('sensor.setpoint')).toEqual([]);
    expect(postsFor('sensor.modbus_optimizer_error_rate')).toEqual([]);
    expect(ha.state('sensor.setpoint')?.state).toBe('7');
    const errors = r.logger.lines.filter((l) => l.startsWith('ERROR'));
    expect(errors.find((l) => l.includes('sensor.setpoint'))).toMatch(/entities\[0\] \(Setpoint\).*"id" option/);
    expect(errors.find((l) => l.includes('sensor.modbus_optimizer_error_rate'))).toMatch(/statistics/);
    await ha.restart(); // still someone else's after a restart: checked again, still skipped
    await r.advanceUntil(() => r.app.homeAssistant.link?.readies === 2 && ha.state('sensor.power'), 'reconnected');
    await r.run(10_000);
    expect(postsFor('sensor.setpoint')).toEqual([]);
    expect(r.logger.lines.filter((l) => l.startsWith('ERROR') && l.includes('sensor.setpoint'))).toHaveLength(2);
  });

  it('keeps polling through a REST outage and catches up with the newest values afterwards', async () => {
    const r = await started();
    ha.restFailure = 503;
    const pollsBefore = r.app.poller.entityStatus('power')?.polls ?? 0;
    const postsBefore = ha.posts.length;
    await r.run(120_000);
    expect((r.app.poller.entityStatus('power')?.polls ?? 0) - pollsBefore).toBeGreaterThanOrEqual(23); // every 5 s
    expect(ha.posts.length - postsBefore).toBeLessThan(15); // backed off, not one post per value
    expect(r.logger.lines.filter((l) => l.startsWith('WARNING') && l.includes('503'))).toHaveLength(1);
    ha.restFailure = undefined;
    const latest = () => r.app.homeAssistant.publisher.current('sensor.power')?.state;
    await r.advanceUntil(() => ha.state('sensor.power')?.state === latest() && r.app.homeAssistant.publisher.pendingCount() === 0, 'caught up');
    expect(r.logger.lines.join('\n')).toMatch(/accepts states again/);
  });

  it('times out a REST call that never answers (on the injected clock) and retries it', async () => {
    const r = await started();
    ha.restFailure = 'hang';
    await r.run(30_000);
    expect(r.logger.lines.join('\n')).toMatch(/no answer within 10000 ms/);
    ha.restFailure = undefined;
    await r.advanceUntil(() => r.app.homeAssistant.publisher.pendingCount() === 0 && ha.state('sensor.power')?.state === r.app.homeAssistant.publisher.current('sensor.power')?.state, 'caught up');
  });
});

describe('Home Assistant off', () => {
  it('says so once at start and keeps polling', async () => {
    rig = buildRig(undefined);
    await rig.app.start();
    await rig.run(20_000);
    expect(rig.logger.lines.filter((l) => l.includes('Home Assistant is off'))).toHaveLength(1);
    expect(rig.app.poller.entityStatus('setpoint')?.polls).toBeGreaterThanOrEqual(4);
  });
});
