/**
 * "A SunSpec device is discovered and published with no map" (issue 14 item 9), against a real peer:
 * a pymodbus server serving a recorded SunSpec map (common model, 103 inverter, 203 meter, end
 * marker; test/fixtures/sunspecMap.ts). The boot step walks it over modbus-serial, keeps the map in
 * the data folder, and the app built from its entities publishes every value scaled by the factor
 * read in the same request — also after the device changes a value and its factor together. Asleep
 * at the next start, the kept map still gives the entities; never seen and asleep, it is one warning
 * and the rest of the app runs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { resolveWithDiscovery, type BootDeps } from '../../src/boot.js';
import { createSystemClock } from '../../src/core/clock.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import type { EntityValue } from '../../src/modbus/types.js';
import { freePort } from '../helpers/ports.js';
import { startPymodbusServer, type PymodbusServer } from '../helpers/pymodbusServer.js';
import { BASE, MODEL_AT, sunspecWords } from '../fixtures/sunspecMap.js';

const clock = createSystemClock();

function options(port: number, more: Record<string, unknown> = {}) {
  return {
    connections: [{ name: 'gw', host: '127.0.0.1', port, timeout_ms: 500 }],
    devices: [{ template: 'sunspec', connection: 'gw', unit_id: 1, prefix: 'pv' }],
    ...more,
  };
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = clock.now() + timeoutMs;
  while (!ok()) {
    if (clock.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => { clock.setTimer(() => r(undefined), 50); });
  }
}

describe('SunSpec discovery against a pymodbus server', () => {
  let port: number;
  let server: PymodbusServer;
  let dataDir: string;
  const logger = createMemoryLogger();
  const boot = (): BootDeps => ({
    clock, logger, dataDir,
    readFile: (p) => readFile(p, 'utf8').catch(() => undefined),
    writeFile: (p, text) => writeFile(p, text, 'utf8'),
  });

  beforeAll(async () => {
    port = await freePort();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sunspec-'));
    server = await startPymodbusServer({ mode: 'tcp', port, units: { 1: { holding: { [BASE]: sunspecWords() } } } });
  });

  afterAll(async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('discovers the device with no map and the app publishes its values correctly scaled', async () => {
    const resolved = await resolveWithDiscovery(options(port), [], boot());
    expect(logger.lines.join('\n')).toContain(`SunSpec at 40000 on gw unit 1 (Acme Solar SX 10K): models 1, 103, 203 — ${resolved.entities.length} entities`);
    expect(resolved.entities.length).toBe(41);
    const values = new Map<string, EntityValue | null>();
    const app: App = createApp({ clock, random: Math.random, logger, connections: resolved.connections, entities: resolved.entities, devices: resolved.devices });
    app.events.on('test', 'sample', (s) => values.set(s.entityId, s.value));
    await app.start();
    try {
      await waitFor('every entity', () => resolved.entities.every((e) => values.has(e.id)));
      expect(Object.fromEntries(['pv_ac_current', 'pv_ac_voltage_l1', 'pv_ac_power', 'pv_ac_frequency', 'pv_ac_power_factor', 'pv_ac_energy',
        'pv_cabinet_temperature', 'pv_heatsink_temperature', 'pv_dc_current', 'pv_ac_voltage_l1_l2', 'pv_status', 'pv_serial_number', 'pv_version',
        'pv_meter_power', 'pv_meter_voltage_l2', 'pv_meter_frequency', 'pv_meter_energy_imported', 'pv_meter_energy_exported', 'pv_meter_power_factor',
      ].map((id) => [id, values.get(id)]))).toEqual({
        pv_ac_current: 12.34, pv_ac_voltage_l1: 230.4, pv_ac_power: 5120, pv_ac_frequency: 50.01, pv_ac_power_factor: 98.5, pv_ac_energy: 123_456_789,
        pv_cabinet_temperature: 41.2, pv_heatsink_temperature: null, pv_dc_current: null, pv_ac_voltage_l1_l2: null, pv_status: 'MPPT',
        pv_serial_number: 'SX10-000042', pv_version: '4.21.3',
        pv_meter_power: -1500, pv_meter_voltage_l2: 231.2, pv_meter_frequency: 49.98, pv_meter_energy_imported: 9_876_540, pv_meter_energy_exported: 543_210,
        pv_meter_power_factor: null,
      });
      expect(resolved.devices.find((d) => d.id === 'pv')).toMatchObject({ manufacturer: 'Acme Solar', model: 'SX 10K' });
      // the device rescales: the value and its factor change together; no read ever mixes the old with the new
      const sawPower: Array<EntityValue | null> = [];
      app.events.on('test2', 'sample', (s) => { if (s.entityId === 'pv_ac_power') sawPower.push(s.value); });
      await server.stop();
      server = await startPymodbusServer({ mode: 'tcp', port, units: { 1: { holding: { [BASE]: rescaled() } } } });
      await waitFor('the rescaled power', () => sawPower.includes(51.2), 20_000);
      expect(sawPower.filter((v) => typeof v === 'number' && v !== 5120 && v !== 51.2)).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it('a device asleep at the next start gets its entities from the kept map', async () => {
    const kept = await readFile(path.join(dataDir, 'sunspec_maps.json'), 'utf8');
    expect(JSON.parse(kept)).toMatchObject({ version: 1, devices: { 'gw:1': { base: 40000, models: [{ id: 1 }, { id: 103 }, { id: 203 }] } } });
    await server.stop();
    const before = logger.lines.length;
    const resolved = await resolveWithDiscovery(options(port), [], boot());
    expect(resolved.entities.map((e) => e.id)).toContain('pv_meter_energy_imported');
    expect(logger.lines.slice(before).join('\n')).toMatch(/SunSpec discovery on gw unit 1: .*; using the map found 20\d\d-.* \(\d+ entities\)/);
    server = await startPymodbusServer({ mode: 'tcp', port, units: { 1: { holding: { [BASE]: sunspecWords() } } } });
  });

  it('never seen and asleep: one warning, and the other entities still run', async () => {
    const deadPort = await freePort();
    const before = logger.lines.length;
    const resolved = await resolveWithDiscovery(options(deadPort, {
      connections: [{ name: 'gw', host: '127.0.0.1', port: deadPort, timeout_ms: 300 }, { name: 'other', host: '127.0.0.1', port }],
      entities: [{ name: 'Marker', connection: 'other', address: BASE }],
    }), [], { ...boot(), dataDir: undefined });
    expect(resolved.entities.map((e) => e.id)).toEqual(['marker']);
    const lines = logger.lines.slice(before);
    expect(lines.filter((l) => l.includes('SunSpec discovery on gw unit 1'))).toHaveLength(1);
    expect(lines.join('\n')).toContain('SunSpec discovery on gw unit 1: connection failed: connect ECONNREFUSED');
    expect(lines.join('\n')).toContain('no map was kept for it, so it has no entities until a start finds it (the rest runs)');
  });
});

/** The same map after the inverter rescaled its power: W 512 with W_SF −1 (51.2 W) instead of +1. */
function rescaled(): number[] {
  const words = sunspecWords();
  words[MODEL_AT.inverter - BASE + 15] = 0xffff;
  return words;
}
