/**
 * The app's options, declared once, in the snake_case users write in Home Assistant's UI or a YAML file.
 * Types, defaults, validation messages, config.yaml's schema and the DOCS.md table all come from here.
 * Defaults that depend on another field (message_wait_ms, turnaround_ms, data_type, count, id) are left
 * optional here and filled in by resolve.ts once the whole item is known.
 */
import { LOG_LEVELS } from '../core/logger.js';
import { DURATION_PATTERN } from './duration.js';
import { bool, float, int, list, object, oneOf, secret, str, type Infer } from './schemaDsl.js';
import { TEMPLATE_NAMES } from './templates/index.js';
import { CONNECTION_TYPES, DATA_TYPES, GOALS, HA_TRANSPORTS, REGISTER_TYPES, STATE_CLASSES, STRATEGY_NAMES } from './vocabulary.js';

export const ENTITY_ID_PATTERN = /^[a-z0-9_]+$/;
/** A Home Assistant entity id: domain.object_id. */
export const HA_ENTITY_ID_PATTERN = /^[a-z0-9_]+\.[a-z0-9_]+$/;

export const connectionSchema = object({
  name: str().describe('Unique name; entities refer to it.'),
  type: oneOf(CONNECTION_TYPES).default('tcp')
    .describe('tcp (Modbus TCP), rtuovertcp (RTU frames through a TCP gateway) or serial (RTU).'),
  host: str().optional().describe('Host name or IP address; required for tcp and rtuovertcp.'),
  port: int(1, 65535).default(502).describe('TCP port.'),
  serial_port: str().optional().describe('Serial device, e.g. /dev/ttyUSB0; required for serial.'),
  baudrate: int(1).default(9600).describe('Serial speed in baud.'),
  parity: oneOf(['none', 'even', 'odd'] as const).default('none').describe('Serial parity.'),
  data_bits: int(5, 8).default(8).describe('Serial data bits.'),
  stop_bits: int(1, 2).default(1).describe('Serial stop bits.'),
  timeout_ms: int(50, 60000).default(3000).describe('How long to wait for an answer.'),
  message_wait_ms: int(0, 10000).optional()
    .describe('Pause between requests on the bus; default 30 for serial, 0 otherwise.'),
  max_registers_per_read: int(1, 125).default(125)
    .describe('Largest block read in one request; lower it for devices that refuse long reads.'),
  turnaround_ms: float(0, 10000).optional()
    .describe('Device turnaround time for the bus-time model; default 20 for serial and rtuovertcp, 2 for tcp.'),
});

export const entitySchema = object({
  id: str(ENTITY_ID_PATTERN).optional()
    .describe('Entity id without the domain (sensor.<id>); default is the name in lower case with _ for the rest.'),
  name: str().describe('Friendly name shown in Home Assistant.'),
  connection: str().describe('Name of the connection the device is on.'),
  unit_id: int(0, 255).default(1).describe('Modbus unit (slave) id.'),
  register_type: oneOf(REGISTER_TYPES).default('holding').describe('Which register table to read.'),
  address: int(0, 65535).describe('Zero-based register (or bit) address.'),
  data_type: oneOf(DATA_TYPES).optional()
    .describe('How to decode the registers; default uint16, or bool for coil and discrete_input.'),
  count: int(1, 125).optional()
    .describe('Registers the value occupies; required for string, otherwise implied by data_type.'),
  swap: oneOf(['none', 'byte', 'word', 'word_byte'] as const).default('none')
    .describe('Byte or word order swap for devices that are not big-endian.'),
  scale: float().default(1).describe('Multiplier applied to the decoded number.'),
  offset: float().default(0).describe('Added after scaling.'),
  precision: int(0, 10).optional().describe('Decimal places to round to.'),
  unit_of_measurement: str().optional().describe('Unit shown in Home Assistant, e.g. W.'),
  device_class: str().optional().describe('Home Assistant device class, e.g. power.'),
  state_class: oneOf(STATE_CLASSES).optional().describe('Set it to get long-term statistics.'),
  scan_interval: float(0).default(15).describe('Starting poll interval in seconds; the optimizer tunes it.'),
  min_interval: float(0).default(1).describe('The optimizer never polls more often than this (seconds).'),
  max_interval: float(0).default(3600).describe('The optimizer never polls less often than this (seconds).'),
  invalid_values: list(int(-(2 ** 53), 2 ** 53)).optional()
    .describe('Raw values the device sends for "no reading", e.g. 32767 or 65535 (before scale): the sensor shows unknown instead.'),
  bit: int(0, 31).optional()
    .describe('Publish one bit of the register (0 = least significant) as a binary sensor; data_type uint16 or uint32.'),
  value_map: list(object({
    value: int(-(2 ** 53), 2 ** 53).describe('Raw code as the register holds it.'),
    label: str().describe('Text Home Assistant shows for it.'),
  })).optional().describe('Texts for a register\'s codes (e.g. 512 → On-grid); the sensor becomes an enum, and a code not listed shows unknown.'),
  when_silent: oneOf(['unavailable', 'last_value'] as const).default('unavailable')
    .describe('What Home Assistant shows while the device does not answer (an inverter at night): unavailable, or the last value read.'),
  scale_factor_register: int(0, 65535).optional()
    .describe('Zero-based address of a register holding a power of ten for this value (SunSpec\'s int16 scale factor): value = raw × 10^factor × scale + offset, read in the same request; 0x8000 (not implemented) shows unknown.'),
  writable: bool().default(false)
    .describe('Allow write_register / write_coil (and the MQTT control) to write this holding register or coil; off by default.'),
  write_function: int(6, 16).optional()
    .describe('Modbus function for writes: 16 (write multiple registers, default) or 6 (write single register; some devices take only 6).'),
  min: float().optional().describe('Smallest value a write may set (writable entities).'),
  max: float().optional().describe('Largest value a write may set (writable entities).'),
});

/** What a device accepts; a template declares its own, these fields override them. */
const deviceLimitFields = {
  max_registers_per_read: int(1, 125).optional()
    .describe('Largest block read this device accepts; default the template\'s (SDM630: 80, SUN2000: 64).'),
  max_gap: int(0, 124).optional().describe('Most unrequested registers a block read may bridge for this device.'),
  pause_ms: int(0, 10_000).optional().describe('Pause before each request to this device (SUN2000: 50).'),
  connect_pause_ms: int(0, 30_000).optional().describe('Pause after connecting before the first request (SUN2000: 1000).'),
  timeout_ms: int(50, 60_000).optional().describe('How long to wait for this device\'s answer; default the template\'s or the connection\'s.'),
};

export const deviceSchema = object({
  template: oneOf(TEMPLATE_NAMES).describe(`Built-in register map: ${TEMPLATE_NAMES.join(', ')}.`),
  connection: str().describe('Name of the connection the device is on.'),
  unit_id: int(0, 255).default(1).describe('Modbus unit (slave) id of the device.'),
  prefix: str(ENTITY_ID_PATTERN).optional()
    .describe('Start of its entity ids and names (sensor.<prefix>_voltage_l1); default the template\'s, e.g. sdm630.'),
  ...deviceLimitFields,
  when_silent: oneOf(['unavailable', 'last_value'] as const).optional()
    .describe('What its entities show while the device does not answer: unavailable (default) or the last value read.'),
});

const duration = (fallback: string, what: string) =>
  str(DURATION_PATTERN).default(fallback).describe(`${what} (a duration like 30s, 5m, 4h).`);

export const optimizerSchema = object({
  enabled: bool().default(true).describe('Let the optimizer tune polling on its schedule (commands work either way).'),
  local_steps: bool().default(true)
    .describe('Between cycles, poll a value that changed on every poll twice as often and one that has not changed for many polls half as often, within the goal.'),
  quick_every: duration('4h', 'How often the quick cycle (interval strategy) runs'),
  full_every: duration('12h', 'How often the full cycle (all strategies) runs'),
  evaluate_every: duration('1h', 'How often applied changes are evaluated'),
  settle: duration('15m', 'How long after a change before its effect is measured'),
  evaluation_window: duration('1h', 'Length of the before and after windows compared'),
  goal: oneOf(GOALS).default('save_bus')
    .describe('save_bus: at least as fresh as the configured scan intervals, for the least bus time (never more bus time or requests than they use); freshest: the freshest values bus_budget allows.'),
  strategies: list(oneOf(STRATEGY_NAMES)).default([...STRATEGY_NAMES])
    .describe('Strategies the scheduled cycles run (interval, cluster, pattern); one left out is never run on the schedule, run_strategy still runs it, and what it adopted before stays.'),
  bus_budget: float(0.001, 1).default(0.3).describe('Fraction of each bus\'s time the optimizer may spend on polling (goal freshest).'),
  rollback_threshold: float(-1, 1).default(-0.1).describe('An experiment whose estimated improvement is below this is undone even when not significant (improvements are fractions of the objective at the configured intervals).'),
  learning_rate: float(0.01, 1).default(0.1).describe('How fast strategy success rates follow new evaluations.'),
  interval: object({
    min_interval: float(0.1, 86_400).default(5).describe('Shortest interval the interval strategy sets (s).'),
    max_interval: float(1, 86_400).default(300).describe('Longest interval the interval strategy sets (s).'),
    aggressiveness: float(0, 1).default(0.5).describe('Fraction of the way toward the target per run.'),
    max_entities_per_run: int(1, 100_000).default(100).describe('Entities changed per run at most.'),
  }).filled().describe('Interval strategy parameters.'),
  cluster: object({
    correlation_threshold: float(0, 1).default(0.6).describe('Co-change score a cluster needs.'),
    min_cluster_size: int(2, 100).default(2).describe('Fewest members of a cluster.'),
    max_cluster_size: int(2, 100).default(20).describe('Most members of a cluster.'),
  }).filled().describe('Cluster strategy parameters.'),
  pattern: object({
    max_patterns: int(1, 100).default(8).describe('Distinct regime patterns adopted at most.'),
    pattern_stability_threshold: float(0, 1).default(0.6).describe('Confidence a regime split needs.'),
  }).filled().describe('Pattern strategy parameters.'),
});

export const proxySchema = object({
  connection: str().describe('The connection whose devices it serves.'),
  port: int(1, 65535).describe('TCP port other masters connect to (map it in the app\'s Network settings).'),
  bind: str().optional().describe('Address to listen on; default 127.0.0.1 standalone, all interfaces in Home Assistant.'),
  max_age: float(0, 3600).default(5).describe('A read is answered from the cache when every register was read within this many seconds.'),
  read_only: bool().default(true).describe('Refuse writes (functions 5, 6, 15, 16) with exception 1; when false, writes pass only to writable entities (or with allow_raw_writes).'),
  allowed_clients: list(str()).optional()
    .describe('Addresses or CIDR ranges that may connect; default loopback standalone, private ranges in Home Assistant.'),
  unit_map: list(object({
    client: int(0, 255).describe('Unit id the client asks for.'),
    device: int(0, 255).describe('Unit id of the device it means.'),
  })).default([]).describe('Unit ids translated from what clients ask to the device\'s.'),
});

/** A topic level: no wildcards, no leading or trailing slash. */
const TOPIC_PATTERN = /^[^#+/\s][^#+\s]*[^#+/\s]$|^[^#+/\s]$/;

export const mqttSchema = object({
  host: str().optional()
    .describe('MQTT broker host; leave empty to use MQTT_URL or, in Home Assistant, the Mosquitto app the supervisor announces.'),
  port: int(1, 65535).default(1883).describe('MQTT broker port (8883 is usual with tls).'),
  username: str().optional().describe('MQTT user name.'),
  password: secret().optional().describe('MQTT password (never logged).'),
  tls: bool().default(false).describe('Connect with TLS (mqtts).'),
  discovery_prefix: str(TOPIC_PATTERN).default('homeassistant').describe('Home Assistant\'s MQTT discovery prefix.'),
  base_topic: str(TOPIC_PATTERN).default('modbus_optimizer').describe('Topic under which states, availability and controls are published.'),
});

export const optionsSchema = object({
  log_level: oneOf(LOG_LEVELS).default('info').describe('How much the app logs.'),
  connections: list(connectionSchema).default([]).describe('Modbus TCP gateways and serial ports.'),
  entities: list(entitySchema).default([]).describe('Values to read and publish as sensors.'),
  context_entities: list(str(HA_ENTITY_ID_PATTERN)).default([])
    .describe('Home Assistant entities whose state the optimizer may relate polling to, e.g. sun.sun.'),
  register_files: list(str()).default([])
    .describe('YAML files in the app\'s config folder (/config) with more entities, written like the entities option.'),
  devices: list(deviceSchema).default([]).describe('Devices with a built-in register map (device templates).'),
  optimizer: optimizerSchema.filled().describe('The optimization loop: schedule, bus budget, strategy parameters.'),
  ha_transport: oneOf(HA_TRANSPORTS).default('auto')
    .describe('How values become Home Assistant entities: mqtt (device discovery), rest (posted states) or auto (mqtt when a broker is known, else rest).'),
  mqtt: mqttSchema.filled().describe('The MQTT broker and topics (MQTT mode).'),
  proxies: list(proxySchema).default([]).describe('Caching Modbus TCP servers through which other masters (HA\'s modbus integration, evcc, Node-RED) share a connection.'),
  allow_raw_writes: bool().default(false)
    .describe('Allow write_register / write_coil by raw address, unit and connection (not only to writable entities); off by default.'),
  web_port: int(0, 65535).optional()
    .describe('Standalone only: loopback port of the dashboard, default 8099; 0 turns it off (in Home Assistant it is the ingress port).'),
});

export type Options = Infer<typeof optionsSchema>;
export type ConnectionOptions = Infer<typeof connectionSchema>;
export type EntityOptions = Infer<typeof entitySchema>;
export type OptimizerOptionsRaw = Infer<typeof optimizerSchema>;
export type DeviceOptions = Infer<typeof deviceSchema>;
export type MqttOptions = Infer<typeof mqttSchema>;
export type ProxyOptions = Infer<typeof proxySchema>;
