/**
 * The simulated sites the benchmark compares policies on, and the options a user would write for
 * them. solar-home: a hybrid inverter, an SDM630-like meter and a heat pump on one 9,600-baud RS-485
 * bus behind an RTU-over-TCP gateway (~120 entities; the heat pump refuses reads over 30 registers,
 * so it gets its own connection entry with a lower cap, as a user would configure it). industrial: ten
 * units on one Modbus TCP gateway (~1,000 entities): commercial inverters with string monitoring,
 * full-map meters and a chiller.
 */
import { heatPumpDevice, HEAT_PUMP_MAX_REGISTERS } from './devices/heatPump.js';
import { inverterDevice } from './devices/inverter.js';
import { meterDevice } from './devices/meter.js';
import { prefixed } from './points.js';
import { SUN_ENTITY } from './rates.js';
import type { SimDeviceSpec } from './simDevice.js';

export type SiteName = 'solar-home' | 'industrial';
export const SITE_NAMES: readonly SiteName[] = ['solar-home', 'industrial'];

/** A connection as written in the options, minus where the gateway is. */
export interface SiteConnection {
  name: string;
  type: 'tcp' | 'rtuovertcp';
  baudrate?: number;
  turnaround_ms: number;
  max_registers_per_read: number;
}

export interface SiteDevice {
  device: SimDeviceSpec;
  connection: string;
}

export interface SiteSpec {
  name: SiteName;
  description: string;
  connections: SiteConnection[];
  /** Devices with entity ids already unique on the site. */
  devices: SiteDevice[];
  /** HA context entities the site publishes (sun, machines' running state). */
  contextEntities: string[];
}

function withIds(prefix: string, device: SimDeviceSpec): SimDeviceSpec {
  return { ...device, name: prefix, points: prefixed(prefix, device.points) };
}

export function solarHome(): SiteSpec {
  const running = 'binary_sensor.heat_pump_running';
  return {
    name: 'solar-home',
    description: 'hybrid inverter, SDM630-like meter and heat pump on one 9,600-baud RS-485 bus behind an RTU-over-TCP gateway',
    connections: [
      { name: 'gateway', type: 'rtuovertcp', baudrate: 9600, turnaround_ms: 20, max_registers_per_read: 125 },
      { name: 'gateway_heat_pump', type: 'rtuovertcp', baudrate: 9600, turnaround_ms: 40, max_registers_per_read: HEAT_PUMP_MAX_REGISTERS },
    ],
    devices: [
      { device: withIds('inverter', inverterDevice({ name: 'inverter', unitId: 1, turnaroundMs: 20 })), connection: 'gateway' },
      { device: withIds('meter', meterDevice({ name: 'meter', unitId: 2, turnaroundMs: 10 })), connection: 'gateway' },
      { device: withIds('heat_pump', heatPumpDevice({ name: 'heat_pump', unitId: 3, turnaroundMs: 40, contextEntity: running })), connection: 'gateway_heat_pump' },
    ],
    contextEntities: [SUN_ENTITY, running],
  };
}

const INDUSTRIAL_INVERTERS = 7;
const INDUSTRIAL_METERS = 2;

export function industrial(): SiteSpec {
  const running = 'binary_sensor.chiller_running';
  const inverters = Array.from({ length: INDUSTRIAL_INVERTERS }, (_, i): SiteDevice => ({
    device: withIds(`inv${i + 1}`, inverterDevice({ name: `inv${i + 1}`, unitId: i + 1, turnaroundMs: 5, mppts: 14, strings: 30 })),
    connection: 'plant',
  }));
  const meters = Array.from({ length: INDUSTRIAL_METERS }, (_, i): SiteDevice => ({
    device: withIds(`meter${i + 1}`, meterDevice({ name: `meter${i + 1}`, unitId: INDUSTRIAL_INVERTERS + i + 1, turnaroundMs: 3, extended: true })),
    connection: 'plant',
  }));
  const chiller: SiteDevice = {
    device: withIds('chiller', heatPumpDevice({ name: 'chiller', unitId: 10, turnaroundMs: 10, contextEntity: running })),
    connection: 'plant_chiller',
  };
  return {
    name: 'industrial',
    description: 'ten units (commercial inverters with string monitoring, full-map meters, a chiller) on one Modbus TCP gateway',
    connections: [
      { name: 'plant', type: 'tcp', turnaround_ms: 5, max_registers_per_read: 125 },
      { name: 'plant_chiller', type: 'tcp', turnaround_ms: 10, max_registers_per_read: HEAT_PUMP_MAX_REGISTERS },
    ],
    devices: [...inverters, ...meters, chiller],
    contextEntities: [SUN_ENTITY, running],
  };
}

export function siteByName(name: SiteName): SiteSpec {
  return name === 'solar-home' ? solarHome() : industrial();
}

/** The options a user would write for the site, with its gateway at host:port and one scan interval. */
export function siteOptions(site: SiteSpec, host: string, port: number, scanIntervalS = 15): Record<string, unknown> {
  const entities = site.devices.flatMap(({ device, connection }) => device.points.map((p) => ({
    id: p.id, name: p.name, connection, unit_id: device.unitId, register_type: p.registerType, address: p.address,
    data_type: p.dataType, ...(p.count !== undefined ? { count: p.count } : {}), ...(p.scale !== undefined ? { scale: p.scale } : {}),
    ...(p.unit ? { unit_of_measurement: p.unit } : {}), ...(p.deviceClass ? { device_class: p.deviceClass } : {}),
    ...(p.stateClass ? { state_class: p.stateClass } : {}), ...(p.writable ? { writable: true } : {}), scan_interval: scanIntervalS,
  })));
  const connections = site.connections.map((c) => ({ ...c, host, port, timeout_ms: 3000 }));
  return { log_level: 'info', connections, entities };
}
