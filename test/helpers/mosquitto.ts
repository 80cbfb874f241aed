/**
 * Debian's mosquitto broker (installed by .ci/run) started on a free loopback port for a test: no
 * persistence, anonymous or with one user (a password file made by mosquitto_passwd). stop() ends it;
 * the broker keeps retained messages only while it runs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface Broker {
  port: number;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

async function accepting(port: number, timeoutMs: number): Promise<void> {
  const deadline = new Date().getTime() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (new Date().getTime() > deadline) throw new Error(`mosquitto did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startMosquitto(user?: { username: string; password: string }): Promise<Broker> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mosquitto-'));
  // Started as root (CI), mosquitto drops to its own user before it reads the password file.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stdout', 'log_type error', 'log_type warning', 'log_type notice'];
  if (user) {
    const file = path.join(dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', file, user.username, user.password]);
    chmodSync(file, 0o644);
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else {
    lines.push('allow_anonymous true');
  }
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => { text += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { text += c.toString(); });
  try {
    await accepting(port, 10_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; mosquitto said:\n${text}`, { cause: err });
  }
  return {
    port, url: `mqtt://127.0.0.1:${port}`, output: () => text,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
