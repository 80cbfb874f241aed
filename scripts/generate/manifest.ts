/**
 * What the supervisor reads about the app's options, generated from the one option schema: the
 * `options:` (defaults) and `schema:` blocks of config.yaml and the option names and descriptions of
 * translations/en.yaml. `npm run docs` writes them; tests compare the files with what this renders,
 * so config.yaml, the translations and the app's own validation cannot drift apart.
 */
import { parse, stringify } from 'yaml';
import { optionsSchema } from '../../src/config/options.js';
import { defaultsOf, ListNode, ObjectNode, toSupervisorSchema, type Node, type SupervisorSchema } from '../../src/config/schemaDsl.js';

export const GENERATED_MARK = '# options and schema: generated from src/config/options.ts by `npm run docs`; do not edit by hand';

/** config.yaml's `options:` (every default, nested groups included) and `schema:`. */
export function supervisorBlocks(): { options: unknown; schema: SupervisorSchema } {
  return { options: defaultsOf(optionsSchema), schema: toSupervisorSchema(optionsSchema) };
}

const YAML_OPTIONS = { lineWidth: 0 } as const;

/** config.yaml with its options and schema replaced by the generated ones (the hand-written head kept). */
export function renderConfigYaml(current: string): string {
  const cut = [current.indexOf(GENERATED_MARK), current.search(/^options:/m), current.search(/^schema:/m)]
    .filter((i) => i >= 0);
  const head = (cut.length === 0 ? current : current.slice(0, Math.min(...cut))).trimEnd();
  return `${head}\n${GENERATED_MARK}\n${stringify(supervisorBlocks(), YAML_OPTIONS)}`;
}

/** Names where the key alone reads badly. */
const NAMES: Record<string, string> = {
  id: 'Entity ID', unit_id: 'Unit ID', baudrate: 'Baud rate', prefix: 'Entity ID prefix',
  devices: 'Device templates', optimizer: 'Optimizer', quick_every: 'Quick cycle every',
  full_every: 'Full cycle every', settle: 'Settle time', interval: 'Interval strategy',
  cluster: 'Cluster strategy', pattern: 'Pattern strategy', count: 'Register count',
};

/** `timeout_ms` → "Timeout (ms)", `data_type` → "Data type". */
export function optionName(key: string): string {
  const known = NAMES[key];
  if (known !== undefined) return known;
  const ms = key.endsWith('_ms');
  const words = (ms ? key.slice(0, -3) : key).split('_').join(' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${ms ? ' (ms)' : ''}`;
}

export interface TranslationEntry {
  name: string;
  description: string;
  fields?: Record<string, TranslationEntry>;
}

function entriesOf(node: Node<unknown>): Record<string, TranslationEntry> | undefined {
  const inner = node instanceof ListNode ? (node.item as Node<unknown>) : node;
  if (!(inner instanceof ObjectNode)) return undefined;
  const out: Record<string, TranslationEntry> = {};
  for (const [key, child] of Object.entries(inner.shape as Record<string, Node<unknown>>)) {
    const fields = entriesOf(child);
    out[key] = { name: optionName(key), description: child.description, ...(fields ? { fields } : {}) };
  }
  return out;
}

/** translations/en.yaml: every option and nested field, and each port's description from config.yaml. */
export function renderTranslations(configYaml: string): string {
  const config = parse(configYaml) as { ports_description?: Record<string, string> } | null;
  const network = config?.ports_description ?? {};
  const doc = { configuration: entriesOf(optionsSchema) ?? {}, ...(Object.keys(network).length > 0 ? { network } : {}) };
  return `# Generated from src/config/options.ts and config.yaml by \`npm run docs\`; do not edit by hand.\n${stringify(doc, YAML_OPTIONS)}`;
}

/** Replaces what lies between two marker lines (kept) with `content`; throws naming a missing marker. */
export function replaceBetween(text: string, start: string, end: string, content: string): string {
  const a = text.indexOf(start);
  const b = text.indexOf(end, a + start.length);
  if (a < 0 || b < 0) throw new Error(`marker ${a < 0 ? start : end} not found`);
  return `${text.slice(0, a + start.length)}\n${content.trim()}\n${text.slice(b)}`;
}
