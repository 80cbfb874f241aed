import { describe, expect, it } from '@jest/globals';
import { DURATION_PATTERN, parseDuration } from '../../src/config/duration.js';

describe('durations', () => {
  it.each([
    ['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['4h', 14_400_000], ['1d', 86_400_000], ['1h30m', 5_400_000], ['1.5h', 5_400_000],
  ])('%s = %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(DURATION_PATTERN.test(text)).toBe(true);
  });

  it.each(['', '4', 'h', '4 h', '-1h', 'soon', '4hours'])('rejects %p with a message naming it', (text) => {
    expect(() => parseDuration(text)).toThrow(`"${text}" is not a duration like 30s, 5m, 4h or 1h30m`);
  });

  it('rejects a zero duration', () => {
    expect(() => parseDuration('0s')).toThrow('"0s" must be longer than 0');
  });
});
