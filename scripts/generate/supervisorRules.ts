/**
 * The Home Assistant supervisor's rules for an app's `options:` and `schema:` (supervisor/apps/
 * validate.py and options.py), restated so a test can hold config.yaml to them: a config.yaml the
 * supervisor rejects makes the app vanish from the store without a word, and options it cannot
 * validate keep the app from starting. Pure functions over parsed YAML; every problem names its key.
 */

/** The supervisor's grammar for one option type (RE_SCHEMA_ELEMENT), `?` marking it optional. */
export const SCHEMA_ELEMENT = new RegExp(
  '^(?:' +
  '|bool|email|url|port' +
  '|device(?:\\((?:subsystem=[a-z]+)\\))?' +
  '|str(?:\\((?:\\d+)?,(?:\\d+)?\\))?' +
  '|password(?:\\((?:\\d+)?,(?:\\d+)?\\))?' +
  '|int(?:\\((?:-?\\d+)?,(?:-?\\d+)?\\))?' +
  '|float(?:\\((?:-?\\d*\\.?\\d+)?,(?:-?\\d*\\.?\\d+)?\\))?' +
  '|match\\((?<match>.*)\\)' +
  '|list\\((?:.+)\\)' +
  ')\\??$',
);

/** The supervisor's stop timeout range (ATTR_TIMEOUT: 10…300 s). */
export const TIMEOUT_RANGE = [10, 300] as const;

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Problems with one type string: grammar, and match() patterns that are not anchored at the end. */
function checkElement(path: string, type: string): string[] {
  const m = SCHEMA_ELEMENT.exec(type);
  if (!m) return [`${path}: "${type}" is not a type the supervisor knows`];
  const pattern = m.groups?.match;
  if (pattern === undefined) return [];
  const problems: string[] = [];
  // The supervisor anchors match() at the start only (re.match): without `$` anything may follow.
  if (!pattern.endsWith('$')) problems.push(`${path}: match(${pattern}) must end with $`);
  if (!pattern.startsWith('^')) problems.push(`${path}: match(${pattern}) should start with ^`);
  try {
    new RegExp(pattern);
  } catch (err) {
    problems.push(`${path}: match(${pattern}) is not a valid pattern (${(err as Error).message})`);
  }
  return problems;
}

/** Walks a schema value: type strings, one-element lists (never of a list), dicts of either. */
function checkNode(path: string, node: unknown, inList: boolean): string[] {
  if (typeof node === 'string') return checkElement(path, node);
  if (Array.isArray(node)) {
    if (inList) return [`${path}: a list may not directly contain a list`];
    if (node.length !== 1) return [`${path}: a list schema has exactly one element, not ${node.length}`];
    return checkNode(`${path}[]`, node[0], true);
  }
  if (isDict(node)) return Object.entries(node).flatMap(([key, child]) => checkNode(`${path}.${key}`, child, false));
  return [`${path}: ${JSON.stringify(node)} is neither a type, a list nor a dict`];
}

/**
 * Keys the supervisor requires in options.json when the user leaves them out (its
 * _check_missing_options): dicts, lists of dicts, and anything without `?`. They need a default.
 */
function checkDefaults(path: string, schema: Record<string, unknown>, options: unknown): string[] {
  const given = isDict(options) ? options : {};
  return Object.entries(schema).flatMap(([key, node]) => {
    const where = path === '' ? key : `${path}.${key}`;
    const element = Array.isArray(node) ? node[0] : node;
    const optional = typeof element === 'string' && element.endsWith('?');
    if (!(key in given)) {
      if (optional || typeof node === 'string') return [];
      return [`${where}: ${Array.isArray(node) ? 'a list' : 'a dict'} option needs a default in options (e.g. ${Array.isArray(node) ? '[]' : '{}'})`];
    }
    return isDict(node) ? checkDefaults(where, node, given[key]) : [];
  });
}

/** Options whose keys the schema does not have (the supervisor drops them with a warning). */
function checkUnknown(path: string, schema: Record<string, unknown>, options: unknown): string[] {
  if (!isDict(options)) return [];
  return Object.entries(options).flatMap(([key, value]) => {
    const where = path === '' ? key : `${path}.${key}`;
    if (!(key in schema)) return [`${where}: option has no schema entry`];
    const node = schema[key];
    return isDict(node) ? checkUnknown(where, node, value) : [];
  });
}

/** Every rule the supervisor applies to a schema and its default options; [] when they pass. */
export function checkSupervisorSchema(schema: unknown, options: unknown): string[] {
  if (!isDict(schema)) return ['schema: must be a dict of options'];
  if (!isDict(options)) return ['options: must be a dict'];
  return [
    ...Object.entries(schema).flatMap(([key, node]) => checkNode(key, node, false)),
    ...checkDefaults('', schema, options),
    ...checkUnknown('', schema, options),
  ];
}
