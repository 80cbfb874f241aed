/**
 * Reads one planned block and hands each item its slice of the reply. When the device answers
 * exception 2 (illegal data address) for a multi-item block, the block is bisected until the bad
 * registers are isolated: only the entities whose own registers are illegal fail, a bridged gap that
 * turns out to be illegal is learned as a hole, and later plans avoid both. Exceptions 3 and 4 on a
 * multi-item block are bisected the same way; when the halves read fine the block was too long for
 * the unit, and its read size is learned (readSizes.ts). A timed-out register block counts toward
 * the same lesson. Every fc 3/4 success tells the unit's learned sizes what works.
 */
import { ModbusExceptionError, ModbusTimeoutError, wasNotSent } from '../core/errors.js';
import { readBusTimeMs, type BusTiming } from './costModel.js';
import type { HoleSet } from './holes.js';
import type { BlockRequest, ReadItem } from './planner.js';
import type { ReadSizes } from './readSizes.js';
import type { Bus } from './transport.js';
import { isBitFunction } from './types.js';

export type ItemOutcome =
  | { ok: true; data: number[]; at: number; latencyMs: number }
  | { ok: false; error: Error; at: number; illegalAddress: boolean };

export interface BlockReadContext {
  bus: Bus;
  timing: BusTiming;
  holes: HoleSet;
  /** The bus's learned read sizes; absent = nothing learned (benchmark baselines). */
  sizes?: ReadSizes;
  now: () => number;
  /** Called for every request actually sent (for bus statistics). */
  onRequest: (registers: number, modelledMs: number, measuredMs: number, failed: boolean) => void;
  onHole: (unitId: number, fn: number, start: number, end: number) => void;
  /** A unit's size cap (or, with lesson 'gap', the gap it bridges) fell after a block of `refusedCount` registers was refused. */
  onReadSize?: (unitId: number, refusedCount: number, lesson: 'size' | 'gap') => void;
}

const ILLEGAL_ADDRESS = 2;
/** Illegal data value, device failure: what devices answer to a block longer than they serve. */
const REFUSED_SIZE = new Set([3, 4]);

export async function readBlock(ctx: BlockReadContext, block: BlockRequest): Promise<Map<string, ItemOutcome>> {
  const outcomes = new Map<string, ItemOutcome>();
  await readInto(ctx, block, outcomes);
  return outcomes;
}

async function readInto(ctx: BlockReadContext, block: BlockRequest, out: Map<string, ItemOutcome>): Promise<void> {
  const startedAt = ctx.now();
  try {
    const reply = await ctx.bus.read(block);
    ctx.onRequest(block.count, readBusTimeMs(block.fn, block.count, ctx.timing), reply.durationMs, false);
    if (!isBitFunction(block.fn)) ctx.sizes?.succeeded(block.unitId, block.count, innerGap(block));
    const at = ctx.now();
    for (const item of block.items) {
      const from = item.address - block.address;
      out.set(item.key, { ok: true, data: reply.data.slice(from, from + item.count), at, latencyMs: reply.durationMs });
    }
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    // refused during a back-off: no bus time, and nothing to learn about the device from it
    const sent = !wasNotSent(error);
    if (sent) ctx.onRequest(block.count, readBusTimeMs(block.fn, block.count, ctx.timing), ctx.now() - startedAt, true);
    const multi = distinctSpans(block.items) > 1;
    if (isIllegalAddress(error) && multi) {
      await bisect(ctx, block, out);
      return;
    }
    if (isRefusedSize(error) && multi && !isBitFunction(block.fn)) {
      await bisectForSize(ctx, block, out);
      return;
    }
    if (sent && error instanceof ModbusTimeoutError && multi && !isBitFunction(block.fn) && ctx.sizes?.timedOut(block.unitId, block.count) === true) {
      ctx.onReadSize?.(block.unitId, block.count, 'size');
    }
    const illegal = isIllegalAddress(error);
    if (illegal) learnHole(ctx, block.unitId, block.fn, block.address, block.address + block.count);
    for (const item of block.items) out.set(item.key, { ok: false, error, at: ctx.now(), illegalAddress: illegal });
  }
}

/** Splits the block's items in two halves by address and reads each; a failing gap becomes a hole. */
async function bisect(ctx: BlockReadContext, block: BlockRequest, out: Map<string, ItemOutcome>): Promise<void> {
  const [left, right] = halves(block);
  await readInto(ctx, left, out);
  await readInto(ctx, right, out);
  const leftOk = left.items.every((i) => out.get(i.key)?.ok);
  const rightOk = right.items.every((i) => out.get(i.key)?.ok);
  const gapStart = left.address + left.count;
  if (leftOk && rightOk && gapStart < right.address) learnHole(ctx, block.unitId, block.fn, gapStart, right.address);
}

/** Reads the halves of a block refused with exception 3 or 4; when both read fine, its size was the reason. */
async function bisectForSize(ctx: BlockReadContext, block: BlockRequest, out: Map<string, ItemOutcome>): Promise<void> {
  const [left, right] = halves(block);
  await readInto(ctx, left, out);
  await readInto(ctx, right, out);
  const ok = [...left.items, ...right.items].every((i) => out.get(i.key)?.ok);
  const lesson = ok ? ctx.sizes?.refused(block.unitId, block.count, innerGap(block)) : undefined;
  if (lesson) ctx.onReadSize?.(block.unitId, block.count, lesson);
}

/** The longest run of registers inside the block that none of its items reads. */
export function innerGap(block: BlockRequest): number {
  const sorted = [...block.items].sort((a, b) => a.address - b.address);
  let covered = block.address;
  let longest = 0;
  for (const item of sorted) {
    longest = Math.max(longest, item.address - covered);
    covered = Math.max(covered, item.address + item.count);
  }
  return Math.max(longest, block.address + block.count - covered);
}

function halves(block: BlockRequest): [BlockRequest, BlockRequest] {
  const sorted = [...block.items].sort((a, b) => a.address - b.address || a.count - b.count);
  const cut = Math.ceil(sorted.length / 2);
  return [blockOf(block, sorted.slice(0, cut)), blockOf(block, sorted.slice(cut))];
}

function blockOf(parent: BlockRequest, items: ReadItem[]): BlockRequest {
  const address = Math.min(...items.map((i) => i.address));
  const end = Math.max(...items.map((i) => i.address + i.count));
  return { unitId: parent.unitId, fn: parent.fn, address, count: end - address, items };
}

function distinctSpans(items: readonly ReadItem[]): number {
  return new Set(items.map((i) => `${i.address}+${i.count}`)).size;
}

function isRefusedSize(error: Error): boolean {
  return error instanceof ModbusExceptionError && REFUSED_SIZE.has(error.code);
}

function isIllegalAddress(error: Error): boolean {
  return error instanceof ModbusExceptionError && error.code === ILLEGAL_ADDRESS;
}

function learnHole(ctx: BlockReadContext, unitId: number, fn: number, start: number, end: number): void {
  if (ctx.holes.intersects(unitId, fn as 1 | 2 | 3 | 4, start, end)) return;
  ctx.holes.add(unitId, fn as 1 | 2 | 3 | 4, start, end);
  ctx.onHole(unitId, fn, start, end);
}
