/**
 * Strings held in registers: two 8-bit characters per register, high byte first (after any swap has
 * been undone), as device names, serial numbers and firmware versions are usually stored. Characters
 * are latin1, which covers ASCII; a NUL ends the text and trailing space padding is dropped.
 */

/** Text from big-endian words: cut at the first NUL, trailing spaces trimmed. */
export function wordsToText(words: readonly number[]): string {
  const codes = words.flatMap((w) => [(w >>> 8) & 0xff, w & 0xff]);
  const end = codes.indexOf(0);
  const text = String.fromCharCode(...(end === -1 ? codes : codes.slice(0, end)));
  return text.replace(/ +$/, '');
}

/** Big-endian words for text, NUL-padded to `registers`; RangeError if it is too long or not latin1. */
export function textToWords(text: string, registers: number): number[] {
  if (text.length > registers * 2) {
    throw new RangeError(
      `string "${text}" has ${text.length} characters, more than the ${registers * 2} that fit in ${registers} registers`,
    );
  }
  const codes = Array.from({ length: registers * 2 }, (_, i) => (i < text.length ? text.charCodeAt(i) : 0));
  const bad = codes.findIndex((c) => c > 0xff);
  if (bad !== -1) {
    throw new RangeError(`string "${text}" has a character outside latin1 at position ${bad}`);
  }
  return Array.from({ length: registers }, (_, i) => ((codes[2 * i] ?? 0) << 8) | (codes[2 * i + 1] ?? 0));
}
