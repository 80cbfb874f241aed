import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { JsonStore, type StoreSchema } from '../../src/store/jsonStore.js';

interface V2 {
  intervals: Record<string, number>;
  notes: string[];
}

const schema: StoreSchema<V2> = {
  version: 2,
  empty: () => ({ intervals: {}, notes: [] }),
  migrate(data, from) {
    if (from !== 1) throw new Error(`cannot migrate from version ${from}`);
    const v1 = data as { intervalsSeconds: Record<string, number> };
    return { intervals: Object.fromEntries(Object.entries(v1.intervalsSeconds).map(([k, s]) => [k, s * 1000])), notes: ['migrated'] };
  },
  check(data): asserts data is V2 {
    const d = data as Partial<V2>;
    if (typeof d.intervals !== 'object' || !Array.isArray(d.notes)) throw new Error('intervals or notes missing');
  },
};

let dir: string;
let file: string;
let clock: VirtualClock;
let logger: ReturnType<typeof createMemoryLogger>;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-store-'));
  file = path.join(dir, 'state.json');
  clock = new VirtualClock(1_000_000);
  logger = createMemoryLogger();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = () => new JsonStore<V2>({ file, clock, logger, schema, debounceMs: 5000 });
const onDisk = async () => JSON.parse(await readFile(file, 'utf8')) as { version: number; savedAt: number; data: V2 };

describe('JsonStore', () => {
  it('starts empty without a file and restores exactly what it wrote', async () => {
    const a = open();
    expect(await a.load()).toEqual({ intervals: {}, notes: [] });
    await a.update((d) => {
      d.intervals.pv = 5000;
      d.notes.push('x');
    }, { flush: true });
    const b = open();
    expect(await b.load()).toEqual({ intervals: { pv: 5000 }, notes: ['x'] });
    expect((await onDisk()).version).toBe(2);
  });

  it('coalesces updates and writes after the debounce, or on stop', async () => {
    const s = open();
    await s.load();
    await s.update((d) => { d.intervals.a = 1; });
    await s.update((d) => { d.intervals.b = 2; });
    await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
    await clock.advance(5000);
    await s.flush(); // wait for the debounced write to finish
    expect((await onDisk()).data.intervals).toEqual({ a: 1, b: 2 });
    await s.update((d) => { d.intervals.c = 3; });
    await s.stop();
    expect((await onDisk()).data.intervals).toEqual({ a: 1, b: 2, c: 3 });
    expect(clock.pendingCount).toBe(0);
  });

  it('rewrites the file only when the data changed (a save that changes nothing leaves it alone)', async () => {
    const s = open();
    await s.load();
    await s.update((d) => { d.intervals.a = 1; }, { flush: true });
    const first = await stat(file);
    await clock.advance(60_000);
    await s.update(() => undefined, { flush: true }); // nothing changed: no write
    await s.update((d) => { d.intervals.a = 1; }, { flush: true }); // the same value again: no write
    expect((await stat(file)).mtimeMs).toBe(first.mtimeMs);
    expect((await onDisk()).savedAt).toBe(1_000_000);
    const again = open(); // a fresh start over an unchanged file does not rewrite it either
    await again.load();
    await again.update(() => undefined, { flush: true });
    expect((await onDisk()).savedAt).toBe(1_000_000);
    await again.update((d) => { d.notes.push('new'); }, { flush: true });
    expect(await onDisk()).toMatchObject({ savedAt: 1_060_000, data: { intervals: { a: 1 }, notes: ['new'] } });
    await s.stop();
    await again.stop();
  });

  it('leaves no temporary file behind after atomic writes', async () => {
    const s = open();
    await s.load();
    for (let i = 0; i < 5; i++) await s.update((d) => { d.notes.push(String(i)); }, { flush: true });
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('moves a corrupt file aside with a warning and starts fresh', async () => {
    await writeFile(file, '{"version": 2, "data": {"intervals": {"a": 1}');
    const s = open();
    expect(await s.load()).toEqual({ intervals: {}, notes: [] });
    const files = await readdir(dir);
    expect(files).toEqual([`state.json.unreadable-${clock.now()}`]);
    expect(await readFile(path.join(dir, files[0] ?? ''), 'utf8')).toContain('"a": 1'); // evidence kept
    expect(logger.lines.some((l) => l.startsWith('WARNING') && l.includes('could not be loaded') && l.includes('moved it to'))).toBe(true);
  });

  it('moves aside data that fails the schema check, and a file from a newer version', async () => {
    await writeFile(file, JSON.stringify({ version: 2, data: { intervals: {} } }));
    expect(await open().load()).toEqual({ intervals: {}, notes: [] });
    expect(logger.lines.at(-1)).toContain('intervals or notes missing');
    await writeFile(file, JSON.stringify({ version: 3, data: {} }));
    await clock.advance(1); // a distinct name for the second file set aside
    await open().load();
    expect(logger.lines.at(-1)).toContain('schema version 3 is newer than 2');
    expect((await readdir(dir)).filter((f) => f.includes('unreadable')).length).toBe(2);
  });

  it('migrates an older version and persists the migrated form', async () => {
    await writeFile(file, JSON.stringify({ version: 1, savedAt: 5, data: { intervalsSeconds: { pv: 5 } } }));
    const s = open();
    expect(await s.load()).toEqual({ intervals: { pv: 5000 }, notes: ['migrated'] });
    await s.stop();
    expect(await onDisk()).toMatchObject({ version: 2, data: { intervals: { pv: 5000 } } });
    expect(logger.lines).toContain(`INFO Migrated ${file} from schema version 1 to 2`);
  });

  it('reports a failed write and keeps the change for the next attempt', async () => {
    const s = new JsonStore<V2>({ file: path.join(dir, 'missing-dir', 'state.json'), clock, logger, schema });
    await s.load();
    await expect(s.update((d) => { d.notes.push('kept'); }, { flush: true })).rejects.toThrow(/ENOENT/);
    expect(s.data.notes).toEqual(['kept']);
  });
});

describe('JsonStore write rate', () => {
  const bounded = (extra: Partial<ConstructorParameters<typeof JsonStore<V2>>[0]> = {}) =>
    new JsonStore<V2>({ file, clock, logger, schema, debounceMs: 5000, minGapMs: 3_600_000, ...extra });

  it('holds background writes at least minGapMs apart, but never holds back a flush', async () => {
    const s = bounded();
    await s.load();
    await s.update((d) => { d.notes.push('a'); });
    await clock.advance(5000);
    await s.flush();
    expect(s.counters.writes).toBe(1);
    await s.update((d) => { d.notes.push('b'); });
    await clock.advance(30 * 60_000); // half the gap: not yet
    expect((await onDisk()).data.notes).toEqual(['a']);
    await clock.advance(30 * 60_000);
    await s.flush();
    expect((await onDisk()).data.notes).toEqual(['a', 'b']);
    await s.update((d) => { d.notes.push('now'); }, { flush: true }); // a command's change: at once
    expect((await onDisk()).data.notes).toEqual(['a', 'b', 'now']);
    expect(s.counters.writes).toBe(3);
    await s.stop();
  });

  it('spaces background writes of a big file so they stay within bytesPerDay', async () => {
    const s = bounded({ bytesPerDay: 24_000 }); // about 1 kB a write → one write an hour would be 24 kB a day
    await s.load();
    await s.update((d) => { d.notes.push('x'.repeat(2000)); }, { flush: true }); // ~2 kB: two hours apart
    const bytes = s.counters.bytesWritten;
    expect(bytes).toBeGreaterThan(2000);
    await s.update((d) => { d.notes.push('y'); });
    await clock.advance(90 * 60_000);
    expect(s.counters.writes).toBe(1);
    await clock.advance((bytes / 24_000) * 86_400_000 - 90 * 60_000 + 1000);
    await s.flush();
    expect(s.counters.writes).toBe(2);
    await s.stop();
  });

  it('counts a failed write, names the file and the cause, and leaves the old file and no temporary file', async () => {
    const s = open();
    await s.load();
    await s.update((d) => { d.notes.push('kept'); }, { flush: true });
    const before = await readFile(file, 'utf8');
    await mkdir(`${file}.tmp`); // a folder where the temporary file goes: it cannot be opened for writing, even by root
    await expect(s.update((d) => { d.notes.push('lost'); }, { flush: true })).rejects.toThrow(`could not write ${file}: EISDIR`);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(s.counters).toMatchObject({ writes: 1, failures: 1, lastError: expect.stringContaining('EISDIR') });
  });
});
