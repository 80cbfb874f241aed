/**
 * Runs test/helpers/pymodbus_server.py as a child process: a real Modbus peer (pymodbus 3.0, TCP or
 * RTU on a serial/pty path) that nobody on this project wrote, so the transport is tested against
 * someone else's reading of the protocol. The server reports every request it serves as a JSON
 * line; this wrapper collects them so tests can assert exactly what reached the device.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Debian's python3-pymodbus lives under the system interpreter, not whatever `python3` is on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

type RegisterSpec = number[] | Record<number, number | number[]>;
type BitSpec = (boolean | number)[] | Record<number, boolean | number | (boolean | number)[]>;

/** One unit's data; only the listed addresses exist (others answer exception 2). */
export interface PymodbusUnit {
  holding?: RegisterSpec;
  input?: RegisterSpec;
  coils?: BitSpec;
  discrete?: BitSpec;
}

interface CommonOptions {
  /** Unit id → data. Unlisted units get no answer at all (the client times out). */
  units: Record<number, PymodbusUnit>;
  /** Report served requests (default true; the benchmark turns it off). */
  log?: boolean;
}

export type PymodbusServerOptions = CommonOptions &
  (
    | { mode: 'tcp'; port: number; host?: string; framer?: 'socket' | 'rtu' }
    | { mode: 'serial'; serialPort: string; baudrate?: number }
  );

export interface ServedRequest {
  op: 'read' | 'write' | 'rejected';
  unit: number;
  fc: number;
  address: number;
  count: number;
  values?: number[];
  /** Server's monotonic clock, ms. */
  t: number;
}

export interface PymodbusServer {
  readonly pid: number;
  /** Requests served so far, in order. */
  requests(): ServedRequest[];
  clearRequests(): void;
  /** Resolves once at least `count` requests were reported (the log pipe may lag the reply). */
  waitForRequests(count: number, timeoutMs?: number): Promise<ServedRequest[]>;
  /** Everything the server wrote to stderr (pymodbus logs exceptions there). */
  stderr(): string;
  /** Kills the process (SIGTERM by default) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The repository root: the nearest directory above `from` holding package.json (works from dist/ too). */
export function findRepoRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'test', 'helpers'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}

export function pymodbusScriptPath(): string {
  return path.join(findRepoRoot(), 'test', 'helpers', 'pymodbus_server.py');
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (exited(child)) return;
  const gone = waitExit(child);
  child.kill(signal);
  const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await gone;
  clearTimeout(force);
}

/** Starts the server and resolves once it reports that it is listening. */
export async function startPymodbusServer(opts: PymodbusServerOptions, readyTimeoutMs = 15_000): Promise<PymodbusServer> {
  const child = spawn(SYSTEM_PYTHON, [pymodbusScriptPath(), JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const served: ServedRequest[] = [];
  let errText = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => { errText += chunk; });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pymodbus not ready after ${readyTimeoutMs} ms: ${errText}`)), readyTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pymodbus exited (${code}) before ready: ${errText}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { event: string } & ServedRequest;
      if (msg.event === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (msg.event === 'request') {
        const { event: _event, ...req } = msg;
        served.push(req);
      }
    });
  });
  try {
    await ready;
  } catch (err) {
    await stopChild(child, 'SIGKILL');
    throw err;
  }
  return {
    pid: child.pid ?? -1,
    requests: () => [...served],
    clearRequests: () => { served.length = 0; },
    waitForRequests: (count, timeoutMs = 5_000) => waitFor(() => served.length >= count, timeoutMs).then(() => [...served]),
    stderr: () => errText,
    stop: (signal = 'SIGTERM') => stopChild(child, signal),
  };
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
