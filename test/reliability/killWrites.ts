/**
 * kill -9 during acknowledged state writes (issue 16 items 4 and 5): a child process
 * (test/helpers/ackWriter.js, the built store) writes state changes one after another and prints
 * "ack n" once each write resolved; it is killed with SIGKILL at random moments, again and again on
 * the same file. After every kill the file must parse and hold every change acknowledged, and no
 * temporary file may be left behind. Short: 10 kills; long: 500.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../src/core/random.js';
import { findRepoRoot } from '../helpers/pymodbusServer.js';
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';

const ROUNDS: Record<ReliabilityLength, number> = { short: 10, long: 500 };

/** Starts the writer, lets it acknowledge at least one write, waits `delayMs` more, kills it; the last ack seen. */
function writeThenKill(file: string, delayMs: number): Promise<number> {
  const child = spawn(process.execPath, [path.join(findRepoRoot(), 'test', 'helpers', 'ackWriter.js'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let errors = '';
  let lastAck = 0;
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => { errors += c.toString(); });
    child.stdout.on('data', (c: Buffer) => {
      const first = out === '';
      out += c.toString();
      for (const m of out.matchAll(/ack (\d+)\n/g)) lastAck = Math.max(lastAck, Number(m[1]));
      if (first) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastAck);
      else reject(new Error(`the writer exited by itself (code ${code}): ${errors}`));
    });
  });
}

interface Round { lastAck: number; parsed: boolean; kept: boolean }

async function oneRound(file: string, delayMs: number): Promise<Round> {
  const lastAck = await writeThenKill(file, delayMs);
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { data: { seq: number; acked: number[] } };
    return { lastAck, parsed: true, kept: saved.data.seq >= lastAck && saved.data.acked.includes(lastAck) };
  } catch {
    return { lastAck, parsed: false, kept: false };
  }
}

async function runKillWrites(length: ReliabilityLength): Promise<ReliabilityRow[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-kill-'));
  try {
    const file = path.join(dir, 'state.json');
    const random = seededRandom(7);
    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS[length]; i++) rounds.push(await oneRound(file, Math.floor(random() * 250)));
    const leftovers = (await readdir(dir)).filter((f) => !f.startsWith('state.json'));
    const parsed = rounds.filter((r) => r.parsed).length;
    const kept = rounds.filter((r) => r.kept).length;
    const acknowledged = Math.max(0, ...rounds.map((r) => r.lastAck));
    return [{
      fault: `kill -9 at random moments during state writes (${rounds.length} kills)`,
      figure: `${acknowledged} writes acknowledged; the file parsed after ${parsed} of ${rounds.length} kills and held the last acknowledged change after ${kept}; ${leftovers.length} temporary files left`,
      bound: 'parses after every kill, every acknowledged change kept, nothing left behind',
      met: parsed === rounds.length && kept === rounds.length && leftovers.length === 0 && acknowledged >= rounds.length,
    }];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const killWrites: ReliabilityScenario = { name: 'kill-writes', run: runKillWrites };
