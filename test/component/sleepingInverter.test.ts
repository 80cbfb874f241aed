/**
 * An inverter that sleeps at night (issue 14, items 7 and 8): the SUN2000 template on the simulated
 * SUN2000, which stops answering from sunset to sunrise, through the app's real Bus (a simulated link
 * in virtual time: timeouts take the template's 10 s). Once asleep it is probed every few minutes, not
 * once a minute; it is back within one probe of sunrise.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createApp, type App } from '../../src/app.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { Link } from '../../src/modbus/transport.js';
import { sun2000Device } from '../../src/sim/devices/sun2000.js';
import { SimDevice } from '../../src/sim/simDevice.js';
import { createSimLink } from '../../src/sim/simLink.js';

const HOUR = 3_600_000;
let app: App | undefined;
let clock: VirtualClock;
afterEach(async () => {
  if (!app) return;
  const done = app.stop();
  for (let i = 0; i < 30; i++) await clock.advance(1000);
  await done;
  app = undefined;
});

describe('a SUN2000 asleep at night', () => {
  it('is probed sparsely while it sleeps and is back within one probe of sunrise', async () => {
    clock = new VirtualClock(Date.UTC(2026, 5, 21, 16)); // 16:00 UTC; the simulated sun sets at 18:00
    const resolved = resolveOptions({
      connections: [{ name: 'dongle', type: 'tcp', host: 'sdongle', port: 502 }],
      devices: [{ template: 'huawei_sun2000', connection: 'dongle', unit_id: 1, when_silent: 'last_value' }],
    });
    const device = new SimDevice(sun2000Device({ name: 'sun2000', unitId: 1, sleepsAtNight: true }), 4, clock.now());
    const wire: number[] = [];
    const logger = createMemoryLogger();
    app = createApp({
      clock, random: seededRandom(2), logger, connections: resolved.connections, entities: resolved.entities, statusEveryMs: 0,
      createLink: (conn): Link => {
        const link = createSimLink(conn, clock, [device]);
        const read = link.read.bind(link);
        return { ...link, read: (req) => { wire.push(clock.now()); return read(req); } };
      },
    });
    const samples: number[] = [];
    app.events.on('test', 'sample', (s) => samples.push(s.at));
    await app.start();
    await clock.advance(2 * HOUR);
    const sunset = Date.UTC(2026, 5, 21, 18);
    const sunrise = Date.UTC(2026, 5, 22, 6);
    expect(samples.filter((t) => t < sunset).length).toBeGreaterThan(100);
    await clock.advance(12 * HOUR + 30 * 60_000); // to 06:30 the next morning
    const night = wire.filter((t) => t >= sunset + HOUR && t < sunrise).length;
    // 11 h asleep: one probe every 4.5–5 min (about 140), where the unit back-off alone probes every 30–60 s (700+)
    expect(night).toBeLessThan(160);
    expect(night).toBeGreaterThan(100);
    const back = samples.find((t) => t >= sunrise);
    expect(back).toBeDefined();
    expect((back ?? Infinity) - sunrise).toBeLessThanOrEqual(5 * 60_000 + 15_000);
    expect(logger.lines.some((l) => /unit 1 silent for 10 min: taken as asleep/.test(l))).toBe(true);
    expect(logger.lines.some((l) => /unit 1 woke up: responding again/.test(l))).toBe(true);
  }, 60_000);
});
