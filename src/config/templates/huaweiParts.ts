/**
 * What sits behind a Huawei SUN2000 and is read through it (same connection and unit id as the
 * inverter, same SDongle limits): the DTSU666-H power meter (grid import/export for the Energy
 * dashboard) and the LUNA2000 battery (state of charge, charge/discharge power and energy).
 * Addresses, types and gains as wlcrs/huawei-solar-lib (src/huawei_solar/registers.py, METER_REGISTERS
 * 37100–37138 and the storage registers 37760–37787, checked at commit 873c1b3) reads them from
 * production inverters; it follows Huawei's "Solar Inverter Modbus Interface Definitions".
 * Caveat from that source: some firmware reports the exported energy (37119) as a negative number
 * (the library takes its absolute value); this template publishes it as read.
 */
import { reg, SUN2000 } from './huawei.js';
import type { DeviceTemplate } from './types.js';

const volts = { unit_of_measurement: 'V', device_class: 'voltage', state_class: 'measurement', scale: 0.1 } as const;
const amps = { unit_of_measurement: 'A', device_class: 'current', state_class: 'measurement', scale: 0.01 } as const;
const watts = { unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement', scan_interval: 5 } as const;
const energy = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing', scale: 0.01, scan_interval: 60 } as const;

export const DTSU666H: DeviceTemplate = {
  name: 'huawei_dtsu666h',
  title: 'Huawei DTSU666-H power meter, read through the SUN2000 (same connection and unit id)',
  prefix: 'grid_meter',
  label: 'DTSU666-H',
  manufacturer: 'Huawei',
  limits: SUN2000.limits,
  entities: [
    reg('status', 'Status', 37100, 'uint16', { scan_interval: 60, value_map: [{ value: 0, label: 'Offline' }, { value: 1, label: 'Normal' }] }),
    reg('voltage_l1', 'Voltage L1', 37101, 'int32', volts),
    reg('voltage_l2', 'Voltage L2', 37103, 'int32', volts),
    reg('voltage_l3', 'Voltage L3', 37105, 'int32', volts),
    reg('current_l1', 'Current L1', 37107, 'int32', amps),
    reg('current_l2', 'Current L2', 37109, 'int32', amps),
    reg('current_l3', 'Current L3', 37111, 'int32', amps),
    reg('active_power', 'Active power', 37113, 'int32', watts),
    reg('reactive_power', 'Reactive power', 37115, 'int32', { unit_of_measurement: 'var', device_class: 'reactive_power', state_class: 'measurement' }),
    reg('power_factor', 'Power factor', 37117, 'int16', { device_class: 'power_factor', state_class: 'measurement', scale: 0.001 }),
    reg('frequency', 'Frequency', 37118, 'int16', { unit_of_measurement: 'Hz', device_class: 'frequency', state_class: 'measurement', scale: 0.01 }),
    reg('exported_energy', 'Exported energy', 37119, 'int32', energy),
    reg('imported_energy', 'Imported energy', 37121, 'int32', energy),
    reg('power_l1', 'Power L1', 37132, 'int32', watts),
    reg('power_l2', 'Power L2', 37134, 'int32', watts),
    reg('power_l3', 'Power L3', 37136, 'int32', watts),
  ],
};

export const LUNA2000: DeviceTemplate = {
  name: 'huawei_luna2000',
  title: 'Huawei LUNA2000 battery, read through the SUN2000 (same connection and unit id; all its modules together)',
  prefix: 'battery',
  label: 'LUNA2000',
  manufacturer: 'Huawei',
  limits: SUN2000.limits,
  entities: [
    reg('rated_capacity', 'Rated capacity', 37758, 'uint32', { unit_of_measurement: 'Wh', device_class: 'energy_storage', scan_interval: 3600 }),
    reg('state_of_charge', 'State of charge', 37760, 'uint16', { unit_of_measurement: '%', device_class: 'battery', state_class: 'measurement', scale: 0.1, scan_interval: 30 }),
    reg('status', 'Status', 37762, 'uint16', {
      scan_interval: 30,
      value_map: [[0, 'Offline'], [1, 'Standby'], [2, 'Running'], [3, 'Fault'], [4, 'Sleep mode']].map(([value, label]) => ({ value: Number(value), label: String(label) })),
    }),
    reg('bus_voltage', 'Bus voltage', 37763, 'uint16', volts),
    reg('bus_current', 'Bus current', 37764, 'int16', { ...amps, scale: 0.1 }),
    reg('power', 'Charge/discharge power', 37765, 'int32', watts),
    reg('total_charge', 'Total charged', 37780, 'uint32', energy),
    reg('total_discharge', 'Total discharged', 37782, 'uint32', energy),
    reg('day_charge', 'Charged today', 37784, 'uint32', energy),
    reg('day_discharge', 'Discharged today', 37786, 'uint32', energy),
  ],
};
