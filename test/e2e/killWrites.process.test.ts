/**
 * kill -9 during acknowledged writes: a child process writes state changes one after another and
 * says "ack n" once each write resolved; the test kills it (SIGKILL) at random moments. After every
 * kill the state file must parse and hold every change the child acknowledged. The in-suite run is a
 * few seconds; KILL_ROUNDS=500 runs the long version.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../src/core/random.js';
import { findRepoRoot } from '../helpers/pymodbusServer.js';

const ROUNDS = Number(process.env.KILL_ROUNDS ?? 10);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-kill-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

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

describe('kill -9 while acknowledged writes are under way', () => {
  it(`after each of ${ROUNDS} kills the file parses and holds every acknowledged change`, async () => {
    const file = path.join(dir, 'state.json');
    const random = seededRandom(7);
    let acknowledged = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const delayMs = Math.floor(random() * 250);
      const lastAck = await writeThenKill(file, delayMs);
      const text = await readFile(file, 'utf8');
      let saved: { data: { seq: number; acked: number[] } };
      try {
        saved = JSON.parse(text) as typeof saved;
      } catch (err) {
        throw new Error(`round ${round} (killed ${delayMs} ms after the first ack): the file does not parse, ${text.length} chars`, { cause: err });
      }
      expect({ round, seq: saved.data.seq >= lastAck }).toEqual({ round, seq: true });
      expect(saved.data.acked).toContain(lastAck);
      acknowledged = Math.max(acknowledged, lastAck);
    }
    expect(acknowledged).toBeGreaterThanOrEqual(ROUNDS); // each round acknowledged at least one write
    expect((await readdir(dir)).filter((f) => !f.startsWith('state.json'))).toEqual([]);
  }, 20_000 + ROUNDS * 2000);
});
