// The dashboard's JSON API over real HTTP on loopback, with the app polling a simulated site (one
// commercial inverter, 124 values on a TCP gateway) in virtual time: what each view says agrees with
// the poller and the planner, live rows follow reads, and bad requests get answers naming the problem.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { bigDashboard, type SimulatedDashboard } from '../../bench/webFixture.js';
import { ENTITY_COLUMNS, liveRows } from '../../src/web/entitiesView.js';
import type { Overview } from '../../src/web/overviewView.js';
import type { BusPlan } from '../../src/web/planView.js';

let site: SimulatedDashboard;
const get = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${site.url}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

beforeAll(async () => {
  site = await bigDashboard(124, 120_000);
});
afterAll(async () => {
  await site?.stop();
});

describe('dashboard API', () => {
  it('overview: per-bus counters from the poller, series points, savings against the configured intervals', async () => {
    const o = await get<Overview>('api/overview');
    const [bus] = site.app.poller.busStatus();
    expect(o.entities).toBe(site.entities);
    expect(o.buses).toHaveLength(1);
    expect(o.buses[0]).toMatchObject({ key: bus?.key, connections: ['plant'], entities: site.entities, requests: bus?.requests });
    const series = o.series.buses[bus?.key ?? ''];
    expect(o.series.t.length).toBeGreaterThanOrEqual(10); // 120 s at one point per 10 s
    expect(series?.requestsPerMin.every((r) => r > 0)).toBe(true);
    expect(series?.utilisation.every((u) => u > 0 && u < 1)).toBe(true);
    // Nothing tuned yet: the intervals in force are the configured ones.
    expect(o.buses[0]?.savings.currentUtilisation).toBeCloseTo(o.buses[0]?.savings.configuredUtilisation ?? NaN, 9);
    expect(o.optimizer?.strategies.map((s) => s.name)).toEqual(['interval', 'cluster', 'pattern']);
  });

  it('entities: one row per entity with the poller\'s figures', async () => {
    const t = await get<{ columns: string[]; rows: unknown[][] }>('api/entities');
    expect(t.columns).toEqual([...ENTITY_COLUMNS]);
    expect(t.rows).toHaveLength(site.entities);
    const col = (name: string) => t.columns.indexOf(name);
    const stats = new Map(site.app.poller.allEntityStatus().map((s) => [s.id, s]));
    for (const row of t.rows) {
      const s = stats.get(row[0] as string);
      expect(row[col('reads')]).toBe(s?.polls);
      expect(row[col('interval_s')]).toBe((s?.intervalMs ?? 0) / 1000);
      expect(row[col('availability')]).toBe(s?.illegalAddress ? 'illegal_address' : 'ok');
    }
  });

  it('plan: every entity in exactly one block, bridged registers counted, holes never bridged', async () => {
    const { buses } = await get<{ buses: BusPlan[] }>('api/plan');
    const blocks = buses.flatMap((b) => b.connections.flatMap((c) => c.blocks));
    expect(blocks.flatMap((b) => b.items.map(([id]) => id)).sort()).toEqual(site.app.poller.entityIds().sort());
    for (const b of blocks) {
      for (const [, address, count] of b.items) expect(address >= b.address && address + count <= b.address + b.count).toBe(true);
      expect(b.bridged).toBeGreaterThanOrEqual(0);
      expect(b.bridged).toBeLessThan(b.count);
      for (const h of buses[0]?.holes ?? []) {
        if (h.unitId === b.unitId && h.fn === b.fn) expect(h.end <= b.address || h.start >= b.address + b.count).toBe(true);
      }
    }
    const c = buses[0]?.connections[0];
    expect(c?.blocks.length).toBeLessThan(c?.singleRequests ?? 0);
    expect(c?.costMs).toBeLessThan(c?.singleCostMs ?? 0);
  });

  it('live rows: only entities read since the given time', async () => {
    const now = site.clock.now();
    expect(liveRows({ poller: site.app.poller }, now)).toEqual([]);
    await site.clock.advance(20_000);
    const rows = liveRows({ poller: site.app.poller }, now);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(site.entities);
  });

  it('commands: through the registry with the ingress user as caller; bad requests named', async () => {
    const post = (body: string, type = 'application/json', headers: Record<string, string> = {}) =>
      fetch(`${site.url}api/command`, { method: 'POST', headers: { 'content-type': type, 'x-modbus-optimizer': 'test', ...headers }, body });
    const ok = await post(JSON.stringify({ command: 'update_strategy_parameters', strategy: 'cluster', parameters: { min_cluster_size: 3 } }),
      'application/json', { 'x-remote-user-name': 'bob', 'x-remote-user-id': 'id-bob' });
    expect(await ok.json()).toMatchObject({ success: true, command: 'update_strategy_parameters' });
    expect(site.app.optimizer?.loop.state.audit.at(-1)).toMatchObject({ by: 'dashboard:bob', what: 'parameters of cluster' });
    expect(await (await post('{"command": "nope"}')).json()).toMatchObject({ success: false, error: { code: 'unknown_command' } });
    expect(await (await post('{oops')).json()).toMatchObject({ success: false, error: { code: 'invalid_json' } });
    expect((await post('{"command":"run_quick_optimization"}', 'text/plain')).status).toBe(415);
    expect((await post('   ')).status).toBe(400);
    expect((await post(`{"command":"x","pad":"${'x'.repeat(70_000)}"}`)).status).toBe(413);
  });

  it('standalone: refuses other host names (DNS rebinding) and commands without its header or from another origin', async () => {
    const raw = (path: string, method: string, headers: Record<string, string>, body = '') => new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${site.url}${path}`, { method, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    const write = JSON.stringify({ command: 'update_strategy_parameters', strategy: 'cluster', parameters: { min_cluster_size: 4 } });
    const json = { 'content-type': 'application/json', 'x-modbus-optimizer': 'test' };
    const audits = () => site.app.optimizer?.loop.state.audit.length;
    const before = audits();
    const rebound = await raw('api/command', 'POST', { ...json, host: `attacker.example:${new URL(site.url).port}` }, write);
    expect(rebound.status).toBe(403);
    expect(rebound.text).toMatch(/answers only to localhost, loopback addresses and WEB_ALLOWED_HOSTS, not "attacker\.example:\d+"/);
    expect((await raw('api/overview', 'GET', { host: 'attacker.example' })).status).toBe(403);
    const noHeader = await raw('api/command', 'POST', { 'content-type': 'application/json' }, write);
    expect([noHeader.status, noHeader.text]).toEqual([403, expect.stringMatching(/need the x-modbus-optimizer header/)]);
    const crossSite = await raw('api/command', 'POST', { ...json, origin: 'http://attacker.example' }, write);
    expect([crossSite.status, crossSite.text]).toEqual([403, expect.stringMatching(/origin http:\/\/attacker\.example are refused/)]);
    expect(audits()).toBe(before); // nothing ran
    const sameSite = await raw('api/command', 'POST', { ...json, origin: site.url.replace(/\/$/, '') }, write);
    expect(sameSite.status).toBe(200);
    expect(audits()).toBe((before ?? 0) + 1);
  });

  it('answers 404 and 405 naming what was wrong, serves assets gzip-compressed with an ETag', async () => {
    const missing = await fetch(`${site.url}nothing.js`);
    expect([missing.status, await missing.text()]).toEqual([404, 'Not found: nothing.js\n']);
    expect((await fetch(`${site.url}api/overview`, { method: 'PUT' })).status).toBe(405);
    const js = await fetch(`${site.url}vendor/uPlot.min.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect([js.status, js.headers.get('content-encoding'), js.headers.get('content-type')]).toEqual([200, 'gzip', 'text/javascript; charset=utf-8']);
    const again = await fetch(`${site.url}vendor/uPlot.min.js`, { headers: { 'if-none-match': js.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    const page = await (await fetch(site.url, { headers: { 'x-ingress-path': '/api/hassio_ingress/t0k' } })).text();
    expect(page).toContain('<base href="/api/hassio_ingress/t0k/">');
    expect(page).not.toMatch(/(src|href)="\/(?!api\/hassio_ingress)/);
  });
});
