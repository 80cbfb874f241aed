/**
 * Growatt string inverters on their RS-485 port (or a Modbus TCP gateway in front of it), protocol
 * "RTU 2" (v1.20 and later): input registers read with function 4, unsigned words, most values in
 * tenths (V, A, W, kWh, °C), the frequency in hundredths. Two register layouts:
 * - MOD TL3-X (three phases; also MAX, MID, MAC): input registers from 0.
 * - MIN TL-X / TL-XH (single phase): the same values from 3000, in a different order.
 * Addresses, widths and gains as WouterTuinstra/Homeassistant-Growatt-Local-Modbus reads them from
 * production inverters (custom_components/growatt_local/API/device_type/inverter_120.py:
 * INPUT_REGISTERS_120 and INPUT_REGISTERS_120_TL_XH, default gain 10; checked at commit 3f81aca),
 * which follows Growatt's "Inverter Modbus RTU Protocol". It reads at most 100 registers per request
 * (MAXIMUM_DATA_LENGTH_120); so do these templates. Status: the low byte's codes 0 Waiting, 1 Normal,
 * 3 Fault (that source masks the low bits; a code with other bits set shows unknown here).
 */
import type { DeviceTemplate, TemplateEntity } from './types.js';

type Extra = Partial<Omit<TemplateEntity, 'key' | 'name' | 'address' | 'data_type'>>;

function reg(key: string, name: string, address: number, data_type: 'uint16' | 'uint32', extra: Extra): TemplateEntity {
  return { key, name, register_type: 'input', address, data_type, scan_interval: 10, scale: 0.1, ...extra };
}

const volts = { unit_of_measurement: 'V', device_class: 'voltage', state_class: 'measurement' } as const;
const amps = { unit_of_measurement: 'A', device_class: 'current', state_class: 'measurement' } as const;
const watts = { unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement', scan_interval: 5 } as const;
const energy = { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing', scan_interval: 60 } as const;
const temperature = { unit_of_measurement: '°C', device_class: 'temperature', state_class: 'measurement', scan_interval: 60 } as const;
const frequency = { unit_of_measurement: 'Hz', device_class: 'frequency', state_class: 'measurement', scale: 0.01 } as const;
const status = { scale: 1, scan_interval: 30, value_map: [{ value: 0, label: 'Waiting' }, { value: 1, label: 'Normal' }, { value: 3, label: 'Fault' }] } as const;
const limits = { max_registers_per_read: 100 } as const;

/** Where a layout keeps each value (the rest follows from these). */
interface Layout {
  status: number;
  inputPower: number;
  pv: number[];
  outputPower: number;
  frequency: number;
  phases: number[];
  energyToday: number;
  energyTotal: number;
  temperature: number;
}

function entities(l: Layout): TemplateEntity[] {
  return [
    reg('status', 'Status', l.status, 'uint16', status),
    reg('input_power', 'PV power', l.inputPower, 'uint32', watts),
    ...l.pv.flatMap((at, i) => [
      reg(`pv${i + 1}_voltage`, `PV${i + 1} voltage`, at, 'uint16', volts),
      reg(`pv${i + 1}_current`, `PV${i + 1} current`, at + 1, 'uint16', amps),
      reg(`pv${i + 1}_power`, `PV${i + 1} power`, at + 2, 'uint32', watts),
    ]),
    reg('output_power', 'Output power', l.outputPower, 'uint32', watts),
    reg('frequency', 'Grid frequency', l.frequency, 'uint16', frequency),
    ...l.phases.flatMap((at, i) => {
      const p = l.phases.length === 1 ? '' : `_l${i + 1}`;
      const n = l.phases.length === 1 ? '' : ` L${i + 1}`;
      return [
        reg(`voltage${p}`, `Grid voltage${n}`, at, 'uint16', volts),
        reg(`current${p}`, `Output current${n}`, at + 1, 'uint16', amps),
        reg(`power${p}`, `Output power${n}`, at + 2, 'uint32', watts),
      ];
    }),
    reg('energy_today', 'Energy today', l.energyToday, 'uint32', energy),
    reg('energy_total', 'Total energy', l.energyTotal, 'uint32', energy),
    reg('temperature', 'Inverter temperature', l.temperature, 'uint16', temperature),
  ];
}

export const GROWATT_MOD: DeviceTemplate = {
  name: 'growatt_mod',
  title: 'Growatt MOD TL3-X three-phase inverter (also MAX, MID, MAC; input registers from 0, tenths)',
  prefix: 'growatt',
  label: 'Growatt MOD',
  manufacturer: 'Growatt',
  limits,
  entities: entities({
    status: 0, inputPower: 1, pv: [3, 7], outputPower: 35, frequency: 37, phases: [38, 42, 46],
    energyToday: 53, energyTotal: 55, temperature: 93,
  }),
};

export const GROWATT_MIN: DeviceTemplate = {
  name: 'growatt_min',
  title: 'Growatt MIN TL-X / TL-XH single-phase inverter (input registers from 3000, tenths)',
  prefix: 'growatt',
  label: 'Growatt MIN',
  manufacturer: 'Growatt',
  limits,
  entities: entities({
    status: 3000, inputPower: 3001, pv: [3003, 3007], outputPower: 3023, frequency: 3025, phases: [3026],
    energyToday: 3049, energyTotal: 3051, temperature: 3093,
  }),
};
