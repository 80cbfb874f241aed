import { describe, expect, it } from '@jest/globals';
import { charTimeMs, readBusTimeMs, responseBytes, silentIntervalMs } from '../../src/modbus/costModel.js';

describe('bus-time cost model (DESIGN.md)', () => {
  it('one character is 11 bits', () => {
    expect(charTimeMs(9600)).toBeCloseTo(1.145833, 5);
    expect(charTimeMs(19200)).toBeCloseTo(0.572917, 5);
  });

  it('t3.5 is 3.5 characters up to 19,200 baud and 1.75 ms above', () => {
    expect(silentIntervalMs(9600)).toBeCloseTo(4.010417, 5);
    expect(silentIntervalMs(19200)).toBeCloseTo(2.005208, 5);
    expect(silentIntervalMs(38400)).toBe(1.75);
  });

  it('response sizes for registers and bits', () => {
    expect(responseBytes(3, 1)).toBe(7);
    expect(responseBytes(4, 125)).toBe(255);
    expect(responseBytes(1, 1)).toBe(6);
    expect(responseBytes(2, 9)).toBe(7);
    expect(responseBytes(1, 2000)).toBe(255);
  });

  it('a single register at 9,600 baud with 20 ms turnaround is about 45 ms', () => {
    // 15 chars * 1.1458 + 2 * 4.0104 + 20 = 17.1875 + 8.0208 + 20
    expect(readBusTimeMs(3, 1, { baudrate: 9600, turnaroundMs: 20, roundTripMs: 0 })).toBeCloseTo(45.2083, 3);
  });

  it('each extra register at 9,600 baud costs two characters', () => {
    const t = { baudrate: 9600, turnaroundMs: 20, roundTripMs: 0 };
    expect(readBusTimeMs(3, 2, t) - readBusTimeMs(3, 1, t)).toBeCloseTo(2.2917, 3);
  });

  it('at 19,200 baud: 10 registers, 5 ms turnaround', () => {
    // (8 + 25) chars * 0.572917 + 2 * 2.005208 + 5 = 18.90625 + 4.010417 + 5
    expect(readBusTimeMs(4, 10, { baudrate: 19200, turnaroundMs: 5, roundTripMs: 0 })).toBeCloseTo(27.9167, 3);
  });

  it('pure TCP is round trip plus turnaround', () => {
    expect(readBusTimeMs(3, 100, { baudrate: undefined, turnaroundMs: 2, roundTripMs: 1 })).toBe(3);
  });
});
