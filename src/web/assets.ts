/**
 * The page's files, read once at start and kept in memory with a gzip copy and an ETag: the static
 * page from a `static` folder next to this module (src/web/static under jest; the image copies it to
 * dist/src/web/static) or else the package's src/web/static (a development build in dist), and
 * uPlot's minified build straight from node_modules/uplot/dist. Nothing is fetched from the network,
 * ever: Home Assistant is often offline.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** uPlot files served under vendor/ (the library's own minified build, MIT licence). */
const VENDOR: Record<string, string> = {
  'vendor/uPlot.min.js': 'uplot/dist/uPlot.iife.min.js',
  'vendor/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

const here = path.dirname(fileURLToPath(import.meta.url));

/** The page's folder: `static` beside this module, else src/web/static of the package above it. */
export function staticDir(from = here): string {
  if (existsSync(path.join(from, 'static', 'index.html'))) return path.join(from, 'static');
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'src', 'web', 'static');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(candidate, 'index.html'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`dashboard files not found: no static/index.html beside ${from} and no src/web/static above it`);
  }
}

export function makeAsset(name: string, body: Buffer): Asset {
  const type = TYPES[path.extname(name)];
  if (!type) throw new Error(`dashboard asset ${name}: no content type for ${path.extname(name) || 'a name without extension'}`);
  return { body, gzip: gzipSync(body, { level: 9 }), type, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` };
}

/** Every asset by its path relative to the page (index.html, app.js, vendor/uPlot.min.js, …). */
export function loadAssets(dir = staticDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    if (TYPES[path.extname(name)]) assets.set(name, makeAsset(name, readFileSync(path.join(dir, name))));
  }
  const require = createRequire(import.meta.url);
  for (const [name, module] of Object.entries(VENDOR)) {
    assets.set(name, makeAsset(name, readFileSync(require.resolve(module))));
  }
  if (!assets.has('index.html')) throw new Error(`dashboard files incomplete: ${dir}/index.html is missing`);
  return assets;
}

/** Total size of every asset the page loads, gzip-compressed (the page-weight budget). */
export function compressedWeight(assets: ReadonlyMap<string, Asset>): number {
  return [...assets.values()].reduce((s, a) => s + a.gzip.length, 0);
}
