/**
 * The words options and templates share: data types, register types, connection types and Home
 * Assistant state classes. Kept apart from the option schema so templates can use them without
 * importing the schema (which imports the templates for their names).
 */
export const DATA_TYPES = [
  'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64',
  'float16', 'float32', 'float64', 'string', 'bool',
] as const;
export const REGISTER_TYPES = ['holding', 'input', 'coil', 'discrete_input'] as const;
export const CONNECTION_TYPES = ['tcp', 'rtuovertcp', 'serial'] as const;
export const STATE_CLASSES = ['measurement', 'total', 'total_increasing'] as const;

/** What the optimizer aims at (src/optimizer/objective.ts explains both). */
export const GOALS = ['save_bus', 'freshest'] as const;
/** The optimizer's strategies, by the names commands and statistics use. */
export const STRATEGY_NAMES = ['interval', 'cluster', 'pattern'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
export type Goal = (typeof GOALS)[number];

/** How values reach Home Assistant: MQTT device discovery, REST states, or MQTT when a broker is known. */
export const HA_TRANSPORTS = ['auto', 'mqtt', 'rest'] as const;
export type HaTransport = (typeof HA_TRANSPORTS)[number];
