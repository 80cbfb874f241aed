/**
 * A virtual serial cable: two linked pseudo-terminals made by socat, so an RTU client and an RTU
 * server can talk through real tty devices without hardware. Note that a pty ignores the baud
 * rate, so bus timing on it says nothing about a real line (use the cost model for that).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** Path of one end (a symlink to /dev/pts/N). */
  readonly a: string;
  /** Path of the other end. */
  readonly b: string;
  stop(): Promise<void>;
}

async function waitForPaths(paths: string[], child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!paths.every((p) => existsSync(p))) {
    if (child.exitCode !== null) throw new Error(`socat exited (${child.exitCode}): ${log()}`);
    if (performance.now() > deadline) throw new Error(`socat links not ready after ${timeoutMs} ms: ${log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stopSocat(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Starts socat with two raw, echo-free ptys linked at `<tmp>/a` and `<tmp>/b`. */
export async function startPtyPair(timeoutMs = 5_000): Promise<PtyPair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'modbus-pty-'));
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => { log += chunk; });
  const stop = async (): Promise<void> => {
    await stopSocat(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPaths([a, b], child, () => log, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { a, b, stop };
}
