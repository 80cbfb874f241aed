// The test Home Assistant must follow the documented protocol, or tests against it prove nothing:
// these drive it with a bare websocket client, with fetch, and with home-assistant-js-websocket's
// own subscribe_entities decoder; and its fault switches (REST outage, failing state writes, frozen
// websockets) must do what they say.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createConnection, createLongLivedTokenAuth, subscribeEntities, type Connection, type HassEntities } from 'home-assistant-js-websocket';
import WebSocket from 'ws';
import { FakeHomeAssistant, until } from '../helpers/fakeHomeAssistant.js';

const TOKEN = 'fake-token-abcdef';
let ha: FakeHomeAssistant;
const clients: WebSocket[] = [];

beforeEach(async () => {
  ha = new FakeHomeAssistant({ token: TOKEN, userId: 'owner-user' });
  await ha.start();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await ha.stop();
});

/** A bare client that records every message. */
async function rawClient(): Promise<{ ws: WebSocket; messages: Array<Record<string, unknown>>; send(m: unknown): void }> {
  const ws = new WebSocket(`${ha.url.replace('http', 'ws')}/api/websocket`);
  clients.push(ws);
  const messages: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return { ws, messages, send: (m) => ws.send(JSON.stringify(m)) };
}

async function authedClient(): Promise<Awaited<ReturnType<typeof rawClient>>> {
  const c = await rawClient();
  await until(() => c.messages.length > 0, 'auth_required');
  c.send({ type: 'auth', access_token: TOKEN });
  await until(() => c.messages.find((m) => m.type === 'auth_ok'), 'auth_ok');
  return c;
}

const post = (id: string, body: unknown, token = TOKEN) => fetch(`${ha.url}/api/states/${id}`, {
  method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('fake Home Assistant: websocket authentication phase', () => {
  it('sends auth_required with the version, then auth_ok for the right token', async () => {
    const c = await authedClient();
    expect(c.messages).toEqual([{ type: 'auth_required', ha_version: '2026.1.0' }, { type: 'auth_ok', ha_version: '2026.1.0' }]);
  });

  it('answers a wrong token with auth_invalid and closes the socket', async () => {
    const c = await rawClient();
    const closed = new Promise((resolve) => c.ws.once('close', resolve));
    await until(() => c.messages.length > 0, 'auth_required');
    c.send({ type: 'auth', access_token: 'wrong' });
    await closed;
    expect(c.messages[1]).toEqual({ type: 'auth_invalid', message: 'Invalid access token or password' });
  });
});

describe('fake Home Assistant: command phase', () => {
  it('answers ping with pong, get_states with a result envelope, unknown commands and reused ids with errors', async () => {
    ha.setState('sun.sun', 'above_horizon', { elevation: 30 });
    const c = await authedClient();
    c.send({ id: 5, type: 'ping' });
    c.send({ id: 6, type: 'get_states' });
    c.send({ id: 7, type: 'no_such_thing' });
    c.send({ id: 7, type: 'ping' });
    await until(() => c.messages.length >= 6, 'four answers');
    const [pong, states, unknown, reuse] = c.messages.slice(2);
    expect(pong).toEqual({ id: 5, type: 'pong' });
    expect(states).toMatchObject({ id: 6, type: 'result', success: true, result: [{ entity_id: 'sun.sun', state: 'above_horizon', attributes: { elevation: 30 } }] });
    expect(unknown).toEqual({ id: 7, type: 'result', success: false, error: { code: 'unknown_command', message: 'Unknown command.' } });
    expect(reuse).toMatchObject({ id: 7, success: false, error: { code: 'id_reuse' } });
  });

  it('delivers fire_event to subscribe_events under the subscription id, with the context in the result', async () => {
    const listener = await authedClient();
    listener.send({ id: 1, type: 'subscribe_events', event_type: 'my_event' });
    await until(() => listener.messages.find((m) => m.id === 1), 'subscribed');
    const sender = await authedClient();
    sender.send({ id: 1, type: 'fire_event', event_type: 'my_event', event_data: { x: 1 } });
    sender.send({ id: 2, type: 'fire_event', event_type: 'other_event' });
    await until(() => sender.messages.filter((m) => m.type === 'result').length === 2, 'fire results');
    expect(sender.messages[2]).toMatchObject({ id: 1, type: 'result', success: true, result: { context: { user_id: 'owner-user' } } });
    ha.fireEvent('my_event', { y: 2 }, 'user-42');
    const events = await until(() => { const e = listener.messages.filter((m) => m.type === 'event'); return e.length === 2 && e; }, 'two events');
    expect(events[0]).toMatchObject({ id: 1, event: { event_type: 'my_event', data: { x: 1 }, origin: 'LOCAL' } });
    expect(events[1]).toMatchObject({ id: 1, event: { data: { y: 2 }, context: { user_id: 'user-42' } } });
  });

  it('sends subscribe_entities in the compressed form that home-assistant-js-websocket decodes', async () => {
    ha.setState('sun.sun', 'below_horizon', { elevation: -5, rising: true });
    ha.setState('light.kitchen', 'off');
    const previous = (globalThis as { WebSocket?: unknown }).WebSocket;
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket; // the library's own socket factory needs one
    let conn: Connection | undefined;
    try {
      conn = await createConnection({ auth: createLongLivedTokenAuth(ha.url, TOKEN) });
      let seen: HassEntities = {};
      subscribeEntities(conn, (entities) => { seen = entities; });
      await until(() => seen['sun.sun'], 'initial states');
      ha.setState('sun.sun', 'above_horizon', { elevation: 12 }); // state change, one attribute gone
      ha.setState('light.kitchen', 'off', { brightness: 0 }); // attributes only
      ha.setState('switch.pump', 'on');
      ha.removeState('light.kitchen');
      await until(() => seen['switch.pump'] && !seen['light.kitchen'] && seen['sun.sun']?.state === 'above_horizon', 'updates');
      const byId = Object.fromEntries(ha.store.list().map((s) => [s.entity_id, s]));
      for (const id of ['sun.sun', 'switch.pump']) {
        expect(seen[id]).toMatchObject({ state: byId[id]?.state, attributes: byId[id]?.attributes });
        expect(new Date(seen[id]?.last_changed ?? 0).getTime()).toBe(new Date(byId[id]?.last_changed ?? 1).getTime());
      }
      expect(seen['sun.sun']?.attributes).toEqual({ elevation: 12 });
    } finally {
      conn?.close();
      (globalThis as { WebSocket?: unknown }).WebSocket = previous;
    }
  });
});

describe('fake Home Assistant: REST states', () => {
  it('checks the bearer token, answers 201 with a Location for a new state and 200 after', async () => {
    expect((await post('sensor.x', { state: '1' }, 'nope')).status).toBe(401);
    const created = await post('sensor.x', { state: '1', attributes: { unit_of_measurement: 'W' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/states/sensor.x');
    expect(await created.json()).toMatchObject({ entity_id: 'sensor.x', state: '1', attributes: { unit_of_measurement: 'W' } });
    expect((await post('sensor.x', { state: '2' })).status).toBe(200);
    const got = await fetch(`${ha.url}/api/states/sensor.x`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await got.json()).toMatchObject({ state: '2' });
    expect(ha.posts.map((p) => p.status)).toEqual([401, 201, 200]);
  });

  it('answers 400 for a bad entity id, bad JSON, no state and a state over 255 characters; 404 for a missing entity', async () => {
    expect((await post('Sensor.Bad', { state: '1' })).status).toBe(400);
    expect((await post('sensor.x', '{not json')).status).toBe(400);
    expect(await (await post('sensor.x', { attributes: {} })).json()).toEqual({ message: 'No state specified.' });
    expect((await post('sensor.x', { state: 'x'.repeat(256) })).status).toBe(400);
    expect((await fetch(`${ha.url}/api/states/sensor.none`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('restarts on the same port, cutting websocket clients and forgetting states that were only POSTed', async () => {
    ha.setState('sun.sun', 'above_horizon');
    await post('sensor.mine', { state: '5' });
    const c = await authedClient();
    const closed = new Promise((resolve) => c.ws.once('close', resolve));
    const port = ha.port;
    await ha.restart();
    await closed;
    expect(ha.port).toBe(port);
    expect(ha.state('sensor.mine')).toBeUndefined();
    expect(ha.state('sun.sun')?.state).toBe('above_horizon');
    expect((await post('sensor.mine', { state: '6' })).status).toBe(201);
  });

  it('can simulate an outage of the REST API', async () => {
    ha.restFailure = 503;
    expect((await post('sensor.x', { state: '1' })).status).toBe(503);
    ha.restFailure = undefined;
    expect((await post('sensor.x', { state: '1' })).status).toBe(201);
  });

  it('can fail only state writes: 500 to POST /api/states while reads work, each attempt recorded with its time', async () => {
    await post('sensor.x', { state: '1' });
    ha.stateFailure = 500;
    const before = new Date().getTime();
    const failed = await post('sensor.x', { state: '2' });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toMatch(/^500 Internal Server Error/);
    expect((await post('sensor.x', { state: '2' }, 'nope')).status).toBe(401); // the token is checked first
    const read = await fetch(`${ha.url}/api/states/sensor.x`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await read.json()).toMatchObject({ state: '1' });
    ha.stateFailure = undefined;
    expect((await post('sensor.x', { state: '3' })).status).toBe(200);
    expect(ha.state('sensor.x')?.state).toBe('3');
    expect(ha.posts.map((p) => p.status)).toEqual([201, 500, 401, 200]);
    expect(ha.posts[1]?.at).toBeGreaterThanOrEqual(before);
  });
});

describe('fake Home Assistant: a frozen websocket', () => {
  it('keeps the connection open but answers nothing and sends nothing; new connections are served', async () => {
    const old = await authedClient();
    old.send({ id: 1, type: 'subscribe_events', event_type: 'my_event' });
    await until(() => old.messages.find((m) => m.id === 1), 'subscribed');
    let closed = false;
    old.ws.once('close', () => { closed = true; });
    expect(ha.freeze()).toBe(1);
    expect(ha.clients()).toBe(0);
    const seen = old.messages.length;
    old.send({ id: 2, type: 'ping' });
    ha.fireEvent('my_event', {});
    const fresh = await authedClient();
    fresh.send({ id: 1, type: 'ping' });
    await until(() => fresh.messages.find((m) => m.type === 'pong'), 'pong on a new connection');
    await new Promise((r) => setTimeout(r, 300));
    expect(old.messages.length).toBe(seen);
    expect(closed).toBe(false);
    expect(old.ws.readyState).toBe(WebSocket.OPEN);
    expect(ha.clients()).toBe(1);
    expect(ha.connectedAt).toHaveLength(2);
  });
});
