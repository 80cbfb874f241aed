/**
 * Starts the built app (`node dist/src/main.js`, exactly what `npm start` runs after building) as a
 * child process with a given environment, collects its output, and lets tests wait for log lines
 * and for its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findRepoRoot } from './pymodbusServer.js';

export interface AppProcess {
  /** The child's process id (for /proc/<pid>/status and the like). */
  readonly pid: number;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
  /** Writes to the app's stdin (commands, one JSON object per line). */
  write(text: string): void;
}

export function startAppProcess(env: Record<string, string>): AppProcess {
  const root = findRepoRoot();
  const cleanEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !['OPTIONS_FILE', 'SUPERVISOR_TOKEN', 'SUPERVISOR_URL', 'HA_URL', 'HA_TOKEN', 'DATA_DIR', 'CONFIG_DIR', 'MQTT_URL', 'PROXY_PORT'].includes(k)),
  );
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'dist', 'src', 'main.js')], {
    // WEB_PORT 0: no dashboard unless a test asks for one (parallel apps would all want 8099).
    cwd: root, env: { ...cleanEnv, WEB_PORT: '0', ...env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    waiters.splice(0).forEach((w) => w());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    pid: child.pid ?? -1,
    output: () => text,
    kill: (signal = 'SIGTERM') => child.kill(signal),
    write: (text) => {
      child.stdin?.write(text);
    },
    exit: () => exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${text}`)), timeoutMs);
        const check = () => {
          const m = text.match(pattern);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(new Error(`app exited (${child.exitCode}) before ${pattern}; output:\n${text}`));
          } else waiters.push(check);
        };
        check();
        void exited.then(() => waiters.splice(0).forEach((w) => w()));
      });
    },
  };
}
