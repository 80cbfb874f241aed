/**
 * Register-order and byte-order swaps, with Home Assistant's modbus semantics: `byte` swaps the two
 * bytes inside every register, `word` reverses the order of the registers, `word_byte` does both.
 * Codecs normalise a reply to plain Modbus big-endian order with this before interpreting it, and apply
 * it again to big-endian words before a write: each swap is its own inverse, so one function serves
 * both directions.
 */
import type { Swap } from '../types.js';

/** Exchanges the high and low byte of one 16-bit register. */
export function swapBytes(word: number): number {
  return ((word & 0xff) << 8) | ((word >>> 8) & 0xff);
}

/** Returns a new array; the input (often a transport buffer) is never modified. */
export function applySwap(words: readonly number[], swap: Swap): number[] {
  const bytesSwapped = swap === 'byte' || swap === 'word_byte' ? words.map(swapBytes) : [...words];
  return swap === 'word' || swap === 'word_byte' ? bytesSwapped.reverse() : bytesSwapped;
}
