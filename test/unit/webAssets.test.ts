// The page's files: everything index.html loads is served by the app, nothing names an absolute URL
// (the page lives under Home Assistant's ingress prefix and HA is often offline), the page weight stays
// inside its budget, and the image's layout (dist/src/web beside a copied static folder) finds them.
import { describe, expect, it } from '@jest/globals';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compressedWeight, loadAssets, staticDir } from '../../src/web/assets.js';
import { findRepoRoot } from '../helpers/pymodbusServer.js';

const assets = loadAssets();
const text = (name: string) => assets.get(name)?.body.toString('utf8') ?? '';

describe('dashboard assets', () => {
  it('serves every file index.html and the modules refer to', () => {
    const html = text('index.html');
    const refs = [...html.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1] ?? '').filter((r) => !r.startsWith('data:'));
    expect(refs).toEqual(expect.arrayContaining(['vendor/uPlot.min.css', 'style.css', 'vendor/uPlot.min.js', 'app.js']));
    const imports = [...assets.keys()].filter((n) => n.endsWith('.js') && !n.startsWith('vendor/'))
      .flatMap((n) => [...text(n).matchAll(/from '\.\/([^']+)'/g)].map((m) => m[1] ?? ''));
    for (const ref of [...refs, ...imports]) expect({ ref, served: assets.has(ref) }).toEqual({ ref, served: true });
  });

  it('uses only relative URLs in the page and its scripts', () => {
    for (const name of [...assets.keys()].filter((n) => !n.startsWith('vendor/'))) {
      const body = text(name);
      expect({ name, absolute: body.match(/(?:src|href)="(?:\/|https?:)|(?:fetch|EventSource)\((?:'|`)(?:\/|https?:)/g) }).toEqual({ name, absolute: null });
    }
  });

  it('weighs at most 250 KB compressed, all assets together', () => {
    expect(compressedWeight(assets)).toBeLessThan(250 * 1024);
  });

  it('finds the page beside the module (the image copies it to dist/src/web/static)', async () => {
    const root = findRepoRoot();
    expect(staticDir()).toBe(path.join(root, 'src', 'web', 'static'));
    const image = await mkdtemp(path.join(os.tmpdir(), 'mbo-image-'));
    try {
      await mkdir(path.join(image, 'dist', 'src', 'web'), { recursive: true });
      await cp(path.join(root, 'src', 'web', 'static'), path.join(image, 'dist', 'src', 'web', 'static'), { recursive: true });
      expect(staticDir(path.join(image, 'dist', 'src', 'web'))).toBe(path.join(image, 'dist', 'src', 'web', 'static'));
      expect(() => staticDir(image)).toThrow(/dashboard files not found/);
    } finally {
      await rm(image, { recursive: true, force: true });
    }
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('COPY --from=build /app/src/web/static ./dist/src/web/static');
  });
});
