/**
 * What the loop remembers about moves that lost (rejected or inconclusive experiments): per change
 * kind, target and direction, the evidence the move rested on. The same move is not proposed again
 * while the new evidence stays inside the interval the old one had — only a real change of what the
 * app knows (the rate moved beyond its confidence interval, a cluster's score moved) reopens it.
 * Bounded, plain JSON, persisted with the loop state.
 */
import type { Change, Evidence } from './types.js';

export interface LostMove {
  key: string;
  at: number;
  recordId: number;
  evidence: Evidence | undefined;
}

export const MEMORY_LIMIT = 2000;

/** Kind, target and direction: 16 s → 32 s and 16 s → 64 s are the same move ("slower"). */
export function moveKey(change: Change): string {
  const direction = (() => {
    if (change.kind === 'interval' && typeof change.before === 'number' && typeof change.after === 'number') {
      return change.after > change.before ? 'slower' : 'faster';
    }
    if (change.after === null) return 'drop';
    if (change.before === null) return 'adopt';
    return 'change';
  })();
  return `${change.kind}:${change.target}:${direction}`;
}

export function remember(memory: LostMove[], change: Change, at: number, recordId: number): void {
  const key = moveKey(change);
  const i = memory.findIndex((m) => m.key === key);
  if (i >= 0) memory.splice(i, 1);
  memory.push({ key, at, recordId, evidence: change.evidence });
  if (memory.length > MEMORY_LIMIT) memory.splice(0, memory.length - MEMORY_LIMIT);
}

/**
 * The lost move this change repeats without new evidence, or undefined when it may be proposed:
 * never lost, or its evidence now lies outside the interval remembered (which also forgets it).
 */
export function blockedBy(memory: LostMove[], change: Change): LostMove | undefined {
  const key = moveKey(change);
  const i = memory.findIndex((m) => m.key === key);
  const lost = memory[i];
  if (!lost) return undefined;
  const now = change.evidence;
  const then = lost.evidence;
  if (now && then && (now.value < then.lower || now.value > then.upper)) {
    memory.splice(i, 1);
    return undefined;
  }
  return lost;
}
