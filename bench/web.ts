/**
 * The dashboard's budget: page weight (every asset the page loads, gzip-compressed, ≤ 250 KB), API
 * answer times over real HTTP at about 10,000 entities (≤ 50 ms), and — when Debian's chromium is
 * there — how the page copes with 10,000 rows: time until the entity table is filled, and the time
 * from a sort click, a filter keystroke and a long scroll to the next painted frame.
 */
import { performance } from 'node:perf_hooks';
import { compressedWeight, loadAssets } from '../src/web/assets.js';
import { chromiumMissing, launchChromium } from './browser.js';
import { bigDashboard, type SimulatedDashboard } from './webFixture.js';

const WEIGHT_BUDGET = 250 * 1024;
const API_BUDGET_MS = 50;
const REPEATS = 15;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

export interface WebBench {
  weightBytes: number;
  api: Array<{ path: string; p50: number; p95: number; bytes: number }>;
  page: { loadMs: number; sortMs: number; filterMs: number; scrollMs: number; domRows: number } | string;
  entities: number;
}

async function timeApi(big: SimulatedDashboard, path: string): Promise<WebBench['api'][number]> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REPEATS + 2; i++) {
    const t0 = performance.now();
    const res = await fetch(`${big.url}${path}`, { headers: { 'accept-encoding': 'gzip' } });
    bytes = Number(res.headers.get('content-length') ?? 0);
    await res.arrayBuffer();
    if (i >= 2) times.push(performance.now() - t0); // two warm-up requests
  }
  return { path, p50: quantile(times, 0.5), p95: quantile(times, 0.95), bytes };
}

/** Time in the page from an action to the next animation frame (the action's work plus one paint). */
const untilFrame = `(action) => new Promise((resolve) => {
  const t0 = performance.now();
  action();
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
})`;

async function timePage(big: SimulatedDashboard): Promise<WebBench['page']> {
  const missing = chromiumMissing();
  if (missing) return `skipped: ${missing}`;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = performance.now();
    await page.goto(`${big.url}#entities`);
    await page.waitForFunction(`Number(document.getElementById('entity-count')?.textContent.replace(/\\D/g, '')) === ${big.entities}`);
    const loadMs = performance.now() - t0;
    const run = (body: string) => page.evaluate(`(${untilFrame})(() => { ${body} })`) as Promise<number>;
    const sortMs = await run(`document.querySelector('th[data-col="reads"]').click()`);
    const filterMs = await run(`const i = document.getElementById('filter'); i.value = 'inv4'; i.dispatchEvent(new Event('input'))`);
    await run(`const i = document.getElementById('filter'); i.value = ''; i.dispatchEvent(new Event('input'))`);
    const scrollMs = await run(`const t = document.getElementById('entity-table'); t.scrollTop = t.scrollHeight / 2; t.dispatchEvent(new Event('scroll'))`);
    const domRows = await page.locator('#entity-table tbody tr:not(.spacer)').count();
    return { loadMs, sortMs, filterMs, scrollMs, domRows };
  } finally {
    await browser.close();
  }
}

export async function measure(entities = 10_000): Promise<WebBench> {
  const weightBytes = compressedWeight(loadAssets());
  const big = await bigDashboard(entities);
  try {
    const api = [];
    for (const path of ['api/overview', 'api/entities', 'api/plan', 'api/optimization']) api.push(await timeApi(big, path));
    return { weightBytes, api, page: await timePage(big), entities: big.entities };
  } finally {
    await big.stop();
  }
}

export function report(b: WebBench): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const lines = [
    `page weight: ${kb(b.weightBytes)} gzip, all assets (budget ${kb(WEIGHT_BUDGET)})${b.weightBytes > WEIGHT_BUDGET ? ' OVER BUDGET' : ''}`,
    ...b.api.map((a) => `${a.path} at ${b.entities} entities: p50 ${a.p50.toFixed(1)} ms, p95 ${a.p95.toFixed(1)} ms, ${kb(a.bytes)} gzip (budget ${API_BUDGET_MS} ms)${a.p50 > API_BUDGET_MS ? ' OVER BUDGET' : ''}`),
  ];
  if (typeof b.page === 'string') lines.push(`page with ${b.entities} rows: ${b.page}`);
  else {
    const p = b.page;
    lines.push(`page with ${b.entities} rows (headless chromium): table filled ${p.loadMs.toFixed(0)} ms after navigation; to the next frame: sort ${p.sortMs.toFixed(0)} ms, filter ${p.filterMs.toFixed(0)} ms, scroll ${p.scrollMs.toFixed(0)} ms; ${p.domRows} rows in the DOM`);
  }
  return lines.join('\n');
}

/** The bench runner's entry: the report text. */
export async function run(): Promise<string> {
  return report(await measure());
}
