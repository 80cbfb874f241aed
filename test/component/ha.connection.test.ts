// The connection's life: a first connect retried until Home Assistant appears, a refused token
// as one fatal line (at start and on a reconnect), and context entities reaching the ContextSource
// and the event bus, across a restart too.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ContextChange } from '../../src/core/context.js';
import { FakeHomeAssistant } from '../helpers/fakeHomeAssistant.js';
import { freePort } from '../helpers/ports.js';
import { buildRig, TOKEN, type Rig } from '../helpers/haRig.js';

let ha: FakeHomeAssistant | undefined;
let rig: Rig | undefined;

afterEach(async () => {
  await rig?.stop();
  if (rig) expect(rig.logger.lines.filter((l) => l.includes(TOKEN))).toEqual([]);
  await ha?.stop();
  rig = undefined;
  ha = undefined;
});

async function startHa(token = TOKEN, port?: number): Promise<FakeHomeAssistant> {
  ha = new FakeHomeAssistant({ token, port });
  await ha.start();
  return ha;
}

describe('Home Assistant connection', () => {
  it('retries the first connect with back-off until Home Assistant is up', async () => {
    const port = await freePort();
    const fake = new FakeHomeAssistant({ token: TOKEN, port });
    rig = buildRig(fake);
    await rig.app.start();
    await rig.run(5_000);
    const warnings = rig.logger.lines.filter((l) => l.startsWith('WARNING') && l.includes('cannot connect to Home Assistant'));
    expect(warnings).toHaveLength(1); // later attempts log at debug
    expect(rig.logger.lines.filter((l) => l.includes('cannot connect')).length).toBeGreaterThanOrEqual(3);
    expect(rig.app.poller.entityStatus('setpoint')?.polls).toBeGreaterThanOrEqual(1); // polling does not wait
    ha = fake;
    await fake.start();
    await rig.advanceUntil(() => fake.state('sensor.setpoint'), 'connected and published');
  });

  it('stops with one fatal line when the token is refused at start', async () => {
    const fake = await startHa('another-token');
    rig = buildRig(fake);
    const fatal: Error[] = [];
    rig.app.events.on('test', 'fatal', ({ error }) => fatal.push(error));
    await rig.app.start();
    await rig.advanceUntil(() => fatal.length > 0, 'fatal event');
    await rig.run(60_000);
    const lines = rig.logger.lines.filter((l) => l.startsWith('FATAL'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/rejected the access token: Invalid access token or password\. Check HA_TOKEN/);
    expect(fatal).toHaveLength(1);
    expect(fake.clients()).toBe(0);
  });

  it('stops with one fatal line when the token is refused on a reconnect', async () => {
    const fake = await startHa();
    rig = buildRig(fake);
    const fatal: Error[] = [];
    rig.app.events.on('test', 'fatal', ({ error }) => fatal.push(error));
    await rig.app.start();
    await rig.advanceUntil(() => fake.state('sensor.setpoint'), 'published');
    fake.setToken('rotated-token');
    await fake.restart();
    await rig.advanceUntil(() => fatal.length > 0, 'fatal event');
    expect(rig.logger.lines.filter((l) => l.startsWith('FATAL'))).toHaveLength(1);
  });

  it('reconnects when pings go unanswered, and posts everything again', async () => {
    const fake = await startHa();
    rig = buildRig(fake);
    await rig.app.start();
    await rig.advanceUntil(() => fake.state('sensor.setpoint'), 'published');
    const posts = fake.posts.length;
    fake.answerPings = false;
    await rig.advanceUntil(() => rig?.logger.lines.some((l) => l.includes('No pong from Home Assistant within 10000 ms')), 'ping timeout', 60_000);
    fake.answerPings = true;
    await rig.advanceUntil(() => rig?.app.homeAssistant.link?.readies === 2, 'reconnected');
    await rig.advanceUntil(() => fake.posts.length >= posts + 14, 'states posted again');
  });

  it('feeds context entities into the ContextSource and the event bus, and reports changes missed while away', async () => {
    const fake = await startHa();
    fake.setState('sun.sun', 'above_horizon', { elevation: 20 });
    fake.setState('light.unrelated', 'on');
    rig = buildRig(fake, { contextEntities: ['sun.sun', 'binary_sensor.occupancy'] });
    const changes: ContextChange[] = [];
    rig.app.events.on('test', 'contextChanged', (c) => changes.push(c));
    await rig.app.start();
    await rig.advanceUntil(() => rig?.app.context.current('sun.sun'), 'initial context');
    expect(rig.app.context.watched()).toEqual(['sun.sun', 'binary_sensor.occupancy']);
    expect(rig.app.context.current('sun.sun')).toMatchObject({ state: 'above_horizon', lastChanged: new Date(fake.state('sun.sun')!.last_changed).getTime() });
    expect(rig.logger.lines.some((l) => l.startsWith('WARNING') && l.includes('context_entities not found in Home Assistant: binary_sensor.occupancy'))).toBe(true);

    fake.setState('sun.sun', 'below_horizon', { elevation: -1 });
    fake.setState('sun.sun', 'below_horizon', { elevation: -2 }); // attributes only: no context change
    fake.setState('binary_sensor.occupancy', 'on');
    fake.setState('light.unrelated', 'off');
    await rig.advanceUntil(() => changes.length >= 3, 'changes');
    await rig.run(1000);
    expect(changes.map((c) => [c.entityId, c.previous, c.state])).toEqual([
      ['sun.sun', undefined, 'above_horizon'], ['sun.sun', 'above_horizon', 'below_horizon'], ['binary_sensor.occupancy', undefined, 'on'],
    ]);

    await fake.stop();
    fake.setState('binary_sensor.occupancy', 'off'); // changes while we are away
    await fake.start();
    await rig.advanceUntil(() => changes.length >= 4, 'change seen after reconnect');
    await rig.run(1000);
    expect(changes.slice(3).map((c) => [c.entityId, c.previous, c.state])).toEqual([['binary_sensor.occupancy', 'on', 'off']]);
    expect(rig.app.context.current('binary_sensor.occupancy')?.state).toBe('off');
  });
});
