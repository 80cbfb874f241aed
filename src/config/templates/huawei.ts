/**
 * Huawei SUN2000 string inverters (the L1, KTL-M0/M1/M2 families, through the SDongle or the inverter's
 * own Modbus TCP/RS-485 port), from Huawei's "Solar Inverter Modbus Interface Definitions": holding
 * registers read with function 3, big-endian words, values scaled by the documented gain (gain 10 →
 * scale 0.1). Power values documented in kW with gain 1000 are the raw value in W. Only the inverter
 * itself: a power meter or battery behind it has registers of its own (add them as entities).
 *
 * Limits as wlcrs/huawei-solar-lib (`huawei_solar.py`, `const.py`) applies them to the SDongle and the
 * inverter's own port: at most 64 registers per read and gaps under 16, 50 ms between requests, a
 * second after connecting before the first request, and a 10 s timeout (the SDongle answers slowly).
 */
import type { DeviceTemplate, TemplateEntity } from './types.js';

type Extra = Partial<Omit<TemplateEntity, 'key' | 'name' | 'address' | 'data_type'>>;

/**
 * What the inverter sends for "no reading" (huawei-solar-lib's registers, the SDongle at night): the
 * largest value of each integer type (0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF). Shown as unknown.
 */
const SENTINELS: Partial<Record<TemplateEntity['data_type'], readonly number[]>> = {
  int16: [0x7fff], uint16: [0xffff], int32: [0x7fffffff], uint32: [0xffffffff],
};

export function reg(key: string, name: string, address: number, data_type: TemplateEntity['data_type'], extra: Extra): TemplateEntity {
  const invalid = SENTINELS[data_type];
  return { key, name, register_type: 'holding', address, data_type, scan_interval: 10, ...(invalid ? { invalid_values: invalid } : {}), ...extra };
}

/** Register 32089, as Huawei's interface definitions name its codes (HA's huawei_solar shows the same texts). */
const DEVICE_STATUS: ReadonlyArray<[number, string]> = [
  [0x0000, 'Standby: initializing'], [0x0001, 'Standby: detecting insulation resistance'],
  [0x0002, 'Standby: detecting irradiation'], [0x0003, 'Standby: grid detecting'], [0x0100, 'Starting'],
  [0x0200, 'On-grid'], [0x0201, 'Grid connection: power limited'], [0x0202, 'Grid connection: self-derating'],
  [0x0203, 'Off-grid mode: running'], [0x0300, 'Shutdown: fault'], [0x0301, 'Shutdown: command'],
  [0x0302, 'Shutdown: OVGR'], [0x0303, 'Shutdown: communication disconnected'], [0x0304, 'Shutdown: power limited'],
  [0x0305, 'Shutdown: manual startup required'], [0x0306, 'Shutdown: DC switches disconnected'],
  [0x0307, 'Shutdown: rapid cutoff'], [0x0308, 'Shutdown: input underpowered'],
  [0x0401, 'Grid scheduling: cosphi-P curve'], [0x0402, 'Grid scheduling: Q-U curve'],
  [0x0403, 'Grid scheduling: PF-U curve'], [0x0404, 'Grid scheduling: dry contact'],
  [0x0405, 'Grid scheduling: Q-P curve'], [0x0500, 'Spot-check ready'], [0x0501, 'Spot-checking'],
  [0x0600, 'Inspecting'], [0x0700, 'AFCI self check'], [0x0800, 'I-V scanning'], [0x0900, 'DC input detection'],
  [0x0a00, 'Running: off-grid charging'], [0xa000, 'Standby: no irradiation'],
];

const volts = { unit_of_measurement: 'V', device_class: 'voltage', state_class: 'measurement', scale: 0.1 } as const;
const amps = (scale: number) => ({ unit_of_measurement: 'A', device_class: 'current', state_class: 'measurement', scale }) as const;
const watts = { unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement', scan_interval: 5 } as const;
const energy = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing', scale: 0.01, scan_interval: 60 } as const;
const identity = { scan_interval: 3600 } as const;

export const SUN2000: DeviceTemplate = {
  name: 'huawei_sun2000',
  title: 'Huawei SUN2000 inverter (holding registers, integers with documented gains)',
  prefix: 'sun2000',
  label: 'SUN2000',
  manufacturer: 'Huawei',
  limits: { max_registers_per_read: 64, max_gap: 15, pause_ms: 50, connect_pause_ms: 1000, timeout_ms: 10_000 },
  entities: [
    reg('model', 'Model', 30000, 'string', { count: 15, ...identity }),
    reg('serial_number', 'Serial number', 30015, 'string', { count: 10, ...identity }),
    reg('rated_power', 'Rated power', 30073, 'uint32', { unit_of_measurement: 'W', device_class: 'power', ...identity }),
    reg('pv1_voltage', 'PV1 voltage', 32016, 'int16', volts),
    reg('pv1_current', 'PV1 current', 32017, 'int16', amps(0.01)),
    reg('pv2_voltage', 'PV2 voltage', 32018, 'int16', volts),
    reg('pv2_current', 'PV2 current', 32019, 'int16', amps(0.01)),
    reg('input_power', 'Input power', 32064, 'int32', watts),
    reg('voltage_l1_l2', 'Voltage L1-L2', 32066, 'uint16', volts),
    reg('voltage_l2_l3', 'Voltage L2-L3', 32067, 'uint16', volts),
    reg('voltage_l3_l1', 'Voltage L3-L1', 32068, 'uint16', volts),
    reg('voltage_l1', 'Voltage L1', 32069, 'uint16', volts),
    reg('voltage_l2', 'Voltage L2', 32070, 'uint16', volts),
    reg('voltage_l3', 'Voltage L3', 32071, 'uint16', volts),
    reg('current_l1', 'Current L1', 32072, 'int32', amps(0.001)),
    reg('current_l2', 'Current L2', 32074, 'int32', amps(0.001)),
    reg('current_l3', 'Current L3', 32076, 'int32', amps(0.001)),
    reg('day_peak_power', 'Peak power today', 32078, 'int32', { ...watts, scan_interval: 60 }),
    reg('active_power', 'Active power', 32080, 'int32', watts),
    reg('reactive_power', 'Reactive power', 32082, 'int32', { unit_of_measurement: 'var', device_class: 'reactive_power', state_class: 'measurement' }),
    reg('power_factor', 'Power factor', 32084, 'int16', { device_class: 'power_factor', state_class: 'measurement', scale: 0.001 }),
    reg('frequency', 'Grid frequency', 32085, 'uint16', { unit_of_measurement: 'Hz', device_class: 'frequency', state_class: 'measurement', scale: 0.01 }),
    reg('efficiency', 'Efficiency', 32086, 'uint16', { unit_of_measurement: '%', state_class: 'measurement', scale: 0.01, scan_interval: 60 }),
    reg('internal_temperature', 'Internal temperature', 32087, 'int16', { unit_of_measurement: '°C', device_class: 'temperature', state_class: 'measurement', scale: 0.1, scan_interval: 60 }),
    reg('insulation_resistance', 'Insulation resistance', 32088, 'uint16', { unit_of_measurement: 'MΩ', state_class: 'measurement', scale: 0.001, scan_interval: 600 }),
    reg('device_status', 'Device status', 32089, 'uint16', { scan_interval: 30, value_map: DEVICE_STATUS.map(([value, label]) => ({ value, label })) }),
    reg('fault_code', 'Fault code', 32090, 'uint16', { scan_interval: 30 }),
    reg('total_energy', 'Total energy yield', 32106, 'uint32', energy),
    reg('daily_energy', 'Energy yield today', 32114, 'uint32', energy),
  ],
};
