// `npm start` (the built app, no options file: the demo) serves the dashboard on loopback and prints
// its URL; the page and the API answer there, with the demo's entities.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess } from '../helpers/appProcess.js';
import { freePort } from '../helpers/ports.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-web-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the demo process serves the dashboard', () => {
  it('prints the local URL; the page and the API answer on loopback; SIGTERM stops it cleanly', async () => {
    const port = await freePort();
    const app = startAppProcess({ DATA_DIR: dir, WEB_PORT: String(port) });
    try {
      const [, url] = await app.waitFor(/Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/);
      expect(url).toBe(`http://127.0.0.1:${port}/`);
      const page = await fetch(url ?? '');
      expect([page.status, (await page.text()).includes('<title>Modbus Optimizer</title>')]).toEqual([200, true]);
      await app.waitFor(/First poll complete/);
      const table = (await (await fetch(`${url}api/entities`)).json()) as { rows: unknown[][] };
      expect(table.rows).toHaveLength(117);
    } finally {
      app.kill('SIGTERM');
    }
    expect(await app.exit()).toEqual({ code: 0, signal: null });
  });

  it('rejects a WEB_PORT that is not a port, naming it (exit 2)', async () => {
    const app = startAppProcess({ DATA_DIR: dir, WEB_PORT: 'eighty' });
    expect((await app.exit()).code).toBe(2);
    expect(app.output()).toContain('WEB_PORT "eighty" is not a port number');
  });
});
