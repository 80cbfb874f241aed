import { describe, expect, it } from '@jest/globals';
import { ClientDemand } from '../../src/modbus/proxy/clientDemand.js';

describe('what other masters read, and how often', () => {
  it('a value read every second earns the max_age cap; one read every 15 s does not; a demand that stops lapses', () => {
    const d = new ClientDemand(5000);
    for (let t = 0; t <= 20_000; t += 1000) d.observe(['power'], t);
    for (let t = 0; t <= 60_000; t += 15_000) d.observe(['grid'], t);
    expect(d.caps(20_500).get('power')).toBe(5000);
    expect(d.caps(60_500).get('grid')).toBeUndefined();
    expect(d.caps(200_000).get('power')).toBeUndefined(); // no read for 3 minutes: lapsed
    expect(d.caps(200_001).has('power')).toBe(false); // and forgotten
  });

  it('two clients at the same moment are one read', () => {
    const d = new ClientDemand(5000);
    for (let t = 0; t <= 12_000; t += 12_000 / 4) { d.observe(['x'], t); d.observe(['x'], t); }
    expect(d.caps(12_001).get('x')).toBe(5000); // period 3 s, not 0 or 1.5 s: still ≤ 2 × max_age
  });

  it('tells how often clients read a value, once there are two reads', () => {
    const d = new ClientDemand(5000);
    d.observe(['grid'], 0);
    expect(d.periodMs('grid')).toBeUndefined();
    d.observe(['grid'], 15_000);
    expect(d.periodMs('grid')).toBe(15_000);
    expect(d.periodMs('never')).toBeUndefined();
  });
});
