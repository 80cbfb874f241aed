// The dashboard in a real browser (Debian's chromium through playwright-core) against the demo site:
// the simulated solar-home gateway on loopback, polled in real time by the app with its optimizer,
// reached through a stand-in for Home Assistant's ingress proxy (prefix and user headers). One
// browser for the file. Screenshots of every view go to test-output/dashboard/.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser, Locator, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../../bench/browser.js';
import { createApp, type App } from '../../src/app.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { createSystemClock } from '../../src/core/clock.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import { startDemo, type RunningDemo } from '../../src/sim/demo.js';
import { WebServer } from '../../src/web/server.js';
import { BusWindows } from '../../src/telemetry/busWindows.js';
import { startIngressProxy, type IngressProxy } from '../helpers/ingressProxy.js';
import { findRepoRoot } from '../helpers/pymodbusServer.js';

const missing = chromiumMissing();
if (missing) console.warn(`Dashboard browser tests SKIPPED: ${missing}`);
const suite = missing ? describe.skip : describe;
const shots = path.join(findRepoRoot(), 'test-output', 'dashboard');
const USER = { id: 'c0ffee-user-id', name: 'alice', displayName: 'Alice Example' };

let demo: RunningDemo;
let resolved: ReturnType<typeof resolveOptions>;
let app: App;
let proxy: IngressProxy;
let browser: Browser;
let page: Page;
const requested: string[] = [];

/** Pixels of the chart's first series colour (light theme --series-1 #0b6bcb) on its canvas. */
const seriesPixels = (testid: string) => page.evaluate(`(() => {
  const canvas = document.querySelector('[data-testid="${testid}"] canvas');
  if (!canvas) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - 11) < 40 && Math.abs(data[i + 1] - 107) < 40 && Math.abs(data[i + 2] - 203) < 40 && data[i + 3] > 200) n++;
  }
  return n;
})()`) as Promise<number>;

/** Waits until `read()` satisfies `ok`, failing with what was last seen. */
async function eventually<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the locator's text contains `pattern` (a string) or matches it (a RegExp). */
function hasText(l: Locator, pattern: string | RegExp, timeoutMs?: number): Promise<string> {
  return eventually(`${String(l)} to show ${String(pattern)}`, async () => (await l.count()) > 0 ? (await l.first().textContent()) ?? '' : '',
    (t) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t)), timeoutMs);
}

const numberIn = async (l: Locator) => Number(((await l.textContent()) ?? '').replace(/\D/g, ''));

async function view(name: string): Promise<void> {
  await page.goto(`${proxy.pageUrl}#${name}`);
  await page.locator('#status.live').waitFor();
}

suite('dashboard in a browser (demo site through an ingress-style proxy)', () => {
  beforeAll(async () => {
    await mkdir(shots, { recursive: true });
    const clock = createSystemClock();
    demo = await startDemo(clock, 1, 0);
    resolved = resolveOptions(demo.options);
    app = createApp({
      clock, random: seededRandom(1), logger: createMemoryLogger(), statusEveryMs: 0,
      connections: resolved.connections, entities: resolved.entities, optimizer: resolved.optimizer,
      // App mode's address check, with the proxy on loopback as the one allowed peer.
      web: { port: 0, host: '127.0.0.1', ingressOnly: true, allowedPeers: ['127.0.0.1'], sampleEveryMs: 400, pushEveryMs: 250 },
    });
    await app.start();
    proxy = await startIngressProxy(app.web?.url() ?? 'dashboard did not start', 'f00dcafe', USER);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page.on('request', (r) => requested.push(r.url()));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await app?.stop();
    await demo?.stop();
  });

  it('loads under the ingress prefix, with every request relative to it and nothing from the network', async () => {
    await view('overview');
    expect(await page.locator('base').getAttribute('href')).toBe(`${proxy.prefix}/`);
    expect(proxy.outside).toEqual([]);
    expect(requested.every((u) => u.startsWith(proxy.pageUrl))).toBe(true);
    expect(proxy.forwarded).toEqual(expect.arrayContaining(['/', '/vendor/uPlot.min.js', '/app.js', '/api/overview', '/api/events']));
    await hasText(page.locator('.card').first(), 'Entities');
    await hasText(page.locator('#cards'), '117');
  });

  it('draws the overview charts from the live series', async () => {
    await view('overview');
    for (const chart of ['chart-utilisation', 'chart-requestsPerMin', 'chart-stalenessS']) {
      await page.waitForFunction(`(() => { const c = document.querySelector('[data-testid="${chart}"] canvas'); return !!c; })()`);
      let pixels = 0;
      for (let i = 0; i < 40 && pixels < 50; i++) {
        pixels = await seriesPixels(chart);
        if (pixels < 50) await page.waitForTimeout(250);
      }
      expect({ chart, pixels: pixels >= 50 }).toEqual({ chart, pixels: true });
    }
    await hasText(page.locator('#savings table'), 'rtu://127.0.0.1');
    await page.screenshot({ path: path.join(shots, 'overview.png') });
    const dark = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    await dark.goto(`${proxy.pageUrl}#overview`);
    await dark.locator('#status.live').waitFor();
    await dark.waitForTimeout(800);
    expect(await dark.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(17, 20, 24)');
    await dark.screenshot({ path: path.join(shots, 'overview-dark.png') });
    await dark.close();
  });

  it('lists the demo entities with values that update live, sorted and filtered in the page', async () => {
    await view('entities');
    await hasText(page.locator('#entity-count'), /^117 entities$/);
    await page.screenshot({ path: path.join(shots, 'entities.png') });
    await page.locator('th[data-col="id"]').click();
    const ids = (await page.locator('#entity-table tbody tr[data-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))) as string[];
    expect(ids.slice(0, 3)).toEqual([...ids].sort().slice(0, 3));
    await page.locator('#filter').fill('meter_total_power');
    await hasText(page.locator('#entity-count'), /^[1-9]\d* of 117 entities$/);
    const row = page.locator('#entity-table tr[data-id="meter_total_power"]');
    await hasText(row.locator('td').nth(2), /^-?[\d,.]+ W$/);
    const readsCell = row.locator('td').nth(9);
    const before = await numberIn(readsCell);
    await eventually('the reads of meter_total_power to grow without a reload', () => numberIn(readsCell), (n) => n > before, 20_000);
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true });
    await phone.goto(`${proxy.pageUrl}#entities`);
    await hasText(phone.locator('#entity-count'), /^117 entities$/);
    await phone.screenshot({ path: path.join(shots, 'entities-phone.png') });
    await phone.close();
  });

  it('shows the block plan per bus with the holes it avoids', async () => {
    await view('plan');
    await hasText(page.locator('[data-testid="plan-bus"] h2').first(), 'rtu://127.0.0.1');
    await hasText(page.locator('#plan'), 'requests per full sweep');
    await page.screenshot({ path: path.join(shots, 'plan.png'), fullPage: true });
  });

  it('runs commands from the action buttons through the registry, audited under the HA user from the header', async () => {
    await view('actions');
    await page.getByTestId('action-quick').click();
    await hasText(page.getByTestId('action-result'), 'run_quick_optimization: done', 20_000);
    await page.locator('#param-strategy').selectOption('interval');
    await page.locator('#param-name').selectOption('aggressiveness');
    await page.locator('#param-value').fill('0.4');
    await page.getByTestId('action-parameter').click();
    await hasText(page.getByTestId('action-result'), 'update_strategy_parameters: done');
    await hasText(page.getByTestId('action-audit'), 'dashboard:alice');
    const last = app.optimizer?.loop.state.audit.at(-1);
    expect(last).toMatchObject({ by: 'dashboard:alice', what: 'parameters of interval', after: expect.objectContaining({ aggressiveness: 0.4 }) });
    await page.screenshot({ path: path.join(shots, 'actions.png') });
    await view('optimization');
    await hasText(page.getByTestId('audit'), 'dashboard:alice');
    await page.screenshot({ path: path.join(shots, 'optimization.png'), fullPage: true });
  });

  it('refuses every peer but the ingress proxy in app mode (a real request from loopback)', async () => {
    const clock = createSystemClock();
    const source = {
      clock, poller: app.poller, stats: app.stats, busWindows: new BusWindows(app.poller, clock), optimizer: undefined,
      entities: resolved.entities, connections: resolved.connections,
    };
    for (const allowedPeers of [undefined, ['172.30.32.99']]) {
      const strict = new WebServer({
        clock, logger: createMemoryLogger(), source, commands: app.commands,
        options: { port: 0, host: '127.0.0.1', ingressOnly: true, allowedPeers },
      });
      await strict.start();
      try {
        const res = await fetch(`${strict.url()}api/overview`);
        expect(res.status).toBe(403);
        expect(await res.text()).toContain(`only the Home Assistant ingress proxy (${allowedPeers?.[0] ?? '172.30.32.2'})`);
      } finally {
        await strict.stop();
      }
    }
    const open = await fetch(`${app.web?.url()}api/overview`);
    expect(open.status).toBe(200);
  });
});
