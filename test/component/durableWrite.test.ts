import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, open, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StateWriteError, writeDurably, type DurableFs } from '../../src/store/durableWrite.js';
import { jsonChunks } from '../../src/store/jsonChunks.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-durable-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The real file operations, each call recorded (with the file handle's sync and close). */
function recordingFs(log: string[]): DurableFs {
  const name = (p: unknown) => path.relative(dir, String(p)) || '.';
  return {
    open: (async (p: string, flags: string) => {
      const fh = await open(p, flags);
      log.push(`open ${name(p)} ${flags}`);
      const sync = fh.sync.bind(fh);
      const close = fh.close.bind(fh);
      fh.sync = async () => { await sync(); log.push(`sync ${name(p)}`); };
      fh.close = async () => { await close(); log.push(`close ${name(p)}`); };
      return fh;
    }) as DurableFs['open'],
    rename: (async (from: string, to: string) => { await rename(from, to); log.push(`rename ${name(from)} ${name(to)}`); }) as DurableFs['rename'],
    unlink: (async (p: string) => { await unlink(p); log.push(`unlink ${name(p)}`); }) as DurableFs['unlink'],
  };
}

describe('writeDurably', () => {
  it('fsyncs the temporary file before the rename and the folder after it, and returns the bytes', async () => {
    const log: string[] = [];
    const file = path.join(dir, 'state.json');
    await writeFile(file, 'old');
    const bytes = await writeDurably(file, ['{"a":', '"ü"}'], recordingFs(log));
    expect(bytes).toBe(Buffer.byteLength('{"a":"ü"}'));
    expect(await readFile(file, 'utf8')).toBe('{"a":"ü"}');
    expect(log).toEqual(['open state.json.tmp w', 'sync state.json.tmp', 'close state.json.tmp', 'rename state.json.tmp state.json', 'open . r', 'sync .', 'close .']);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('fails with a StateWriteError naming the file and the cause when the folder is a regular file (root too)', async () => {
    const notADir = path.join(dir, 'data');
    await writeFile(notADir, 'a regular file');
    const file = path.join(notADir, 'state.json');
    const err = await writeDurably(file, ['{}']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateWriteError);
    expect((err as Error).message).toMatch(new RegExp(`^could not write ${file}: ENOTDIR`));
  });
});

describe('jsonChunks', () => {
  const tricky = {
    n: 1, s: 'quote " and \\ and \u2028', nan: NaN, inf: -Infinity, nil: null, skip: undefined, fn: () => 1,
    date: new Date(Date.UTC(2026, 0, 5)), custom: { toJSON: () => ({ replaced: true }) }, gone: { toJSON: () => undefined },
    list: [1, undefined, () => 2, NaN, { deep: { deeper: { deepest: [1, 2, { x: 'y' }] } } }],
    big: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, { i, values: [i, i / 3, String(i)], skip: undefined }])),
    long: Array.from({ length: 1000 }, (_, i) => [i, i * 1.5]),
    empty: { a: {}, b: [] },
  };

  it('joins to exactly what JSON.stringify gives, for awkward values too', async () => {
    for (const value of [tricky, [tricky, tricky], 'text', 42, null, [], {}]) {
      expect((await jsonChunks(value, { chunkChars: 100 })).join('')).toBe(JSON.stringify(value));
    }
    expect(await jsonChunks(undefined)).toEqual([]);
  });

  it('cuts a big value into pieces of about chunkChars and lets the loop run between them', async () => {
    let pauses = 0;
    const chunks = await jsonChunks(tricky, { chunkChars: 4096, pause: () => { pauses++; return Promise.resolve(); } });
    expect(chunks.length).toBeGreaterThan(5);
    expect(pauses).toBe(chunks.length - 1);
    expect(Math.max(...chunks.slice(0, -1).map((c) => c.length))).toBeLessThan(4096 + 200); // no piece much past the cut
  });
});
