import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess, type AppProcess } from '../helpers/appProcess.js';

const LOCK = 'modbus_optimizer.lock';
let dir: string;
const running: AppProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-lock-'));
});
afterEach(async () => {
  for (const app of running.splice(0)) {
    app.kill('SIGKILL');
    await app.exit();
  }
  await rm(dir, { recursive: true, force: true });
});

/** The demo app (no OPTIONS_FILE) on the shared data folder, once it polls. */
async function startDemo(): Promise<AppProcess> {
  const app = startAppProcess({ DATA_DIR: dir });
  running.push(app);
  await app.waitFor(/Polling \d+ entities/);
  return app;
}

describe('one app per data folder (two real processes of the built app)', () => {
  it('refuses a second instance with exit 3 naming the first one\'s pid, and frees the folder at stop', async () => {
    const first = await startDemo();
    const pid = (await readFile(path.join(dir, LOCK), 'utf8')).trim();
    expect(Number(pid)).toBeGreaterThan(0);

    const second = startAppProcess({ DATA_DIR: dir });
    running.push(second);
    const { code } = await second.exit();
    expect(code).toBe(3);
    expect(second.output()).toContain(`Not starting: another Modbus Optimizer (pid ${pid}) is using the data folder ${dir}: stop it first`);
    expect(second.output()).not.toMatch(/Polling \d+ entities/);
    expect((await readFile(path.join(dir, LOCK), 'utf8')).trim()).toBe(pid); // the refused one left the lock alone

    first.kill('SIGTERM');
    expect((await first.exit()).code).toBe(0);
    expect(await readdir(dir)).not.toContain(LOCK);
    const third = await startDemo(); // the folder is free again
    expect(third.output()).not.toContain('stale lock');
  });

  it('takes over the lock of a process that is no longer running, and says so', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    expect(deadPid).toBeGreaterThan(0);
    await writeFile(path.join(dir, LOCK), `${deadPid}\n`);
    const app = await startDemo();
    expect(app.output()).toContain(`Taking over the stale lock ${path.join(dir, LOCK)} of pid ${deadPid}, which is not running`);
    expect((await readFile(path.join(dir, LOCK), 'utf8')).trim()).not.toBe(String(deadPid));
  });
});
