/**
 * What a built-in device template is: a register map written once, as entities without a connection
 * or unit id. `devices: [{template, connection, unit_id, prefix}]` turns each row into an ordinary
 * entity (id `<prefix>_<key>`), validated like any other, so a template can never hold a value the
 * entities option would refuse (a test checks every row).
 */
import type { DATA_TYPES, REGISTER_TYPES, STATE_CLASSES } from '../vocabulary.js';

export interface TemplateEntity {
  /** Entity id after the prefix: `voltage_l1` → sensor.<prefix>_voltage_l1. */
  key: string;
  name: string;
  register_type: (typeof REGISTER_TYPES)[number];
  /** Zero-based protocol address (manual register number minus 30001 or 40001 where manuals count from 1). */
  address: number;
  data_type: (typeof DATA_TYPES)[number];
  count?: number;
  scale?: number;
  precision?: number;
  unit_of_measurement?: string;
  device_class?: string;
  state_class?: (typeof STATE_CLASSES)[number];
  /** Starting poll interval (s); the optimizer tunes it. */
  scan_interval: number;
  /** Raw values the device sends for "no reading" (shown as unknown). */
  invalid_values?: readonly number[];
  /** Texts for the register's codes (an enum sensor). */
  value_map?: ReadonlyArray<{ value: number; label: string }>;
  /** One bit of the register as a binary sensor. */
  bit?: number;
  /** Register holding the value's power of ten (SunSpec sunssf), read with it in one request. */
  scale_factor_register?: number;
}

export interface DeviceTemplate {
  /** What users write in `template:`. */
  name: string;
  /** One line for DOCS.md: the device and where its map comes from. */
  title: string;
  /** Prefix of entity ids when the device option gives none. */
  prefix: string;
  /** Start of friendly names when the device option gives no prefix, e.g. "SDM630" (→ "SDM630 Voltage L1"). */
  label: string;
  /** Shown as the Home Assistant device's manufacturer. */
  manufacturer: string;
  /** What the device accepts, as its manual says (the template file cites where); device options override. */
  limits?: TemplateLimits;
  entities: readonly TemplateEntity[];
}

/** Written like the device option's fields of the same names. */
export interface TemplateLimits {
  max_registers_per_read?: number;
  max_gap?: number;
  pause_ms?: number;
  connect_pause_ms?: number;
  timeout_ms?: number;
}
