/**
 * Register files: YAML files in the app's config folder (`/config` in app mode, CONFIG_DIR standalone)
 * that hold entities written exactly like the `entities` option, for register maps too long to keep
 * in Home Assistant's options editor. They are read before the options are resolved; each problem
 * names the file and the line, e.g. `meters.yaml line 12: entities[3] (Voltage): data_type "x" …`.
 */
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { Item } from './crossChecks.js';
import type { ReadFile } from './load.js';
import { entitySchema, type EntityOptions } from './options.js';
import { formatProblem, isRecord, itemSegment, validateWithPaths, validFieldsOf, type Path } from './schemaDsl.js';

/** One file named in `register_files`: its text, or why it could not be read. */
export interface RegisterFile {
  /** As written in the option. */
  name: string;
  path: string;
  text?: string;
  error?: string;
}

/** Reads every file the (still unvalidated) options name; names that are not strings are left to validation. */
export async function readRegisterFiles(raw: unknown, configDir: string, readFile: ReadFile): Promise<RegisterFile[]> {
  const names = isRecord(raw) && Array.isArray(raw.register_files) ? raw.register_files : [];
  const files: RegisterFile[] = [];
  for (const name of names) {
    if (typeof name !== 'string' || name === '') continue;
    const full = path.isAbsolute(name) ? name : path.join(configDir, name);
    try {
      files.push({ name, path: full, text: await readFile(full) });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const why = code === 'ENOENT' ? `${full} does not exist (register files go in the app's config folder, ${configDir})`
        : `cannot read ${full}: ${(err as Error).message}`;
      files.push({ name, path: full, error: why });
    }
  }
  return files;
}

/** The entities of every file as items for the cross checks, and the problems found in the files. */
export function fileEntities(files: readonly RegisterFile[]): { items: Item<EntityOptions>[]; problems: string[] } {
  const items: Item<EntityOptions>[] = [];
  const problems: string[] = [];
  files.forEach((file, index) => {
    if (file.text === undefined) {
      problems.push(formatProblem(['register_files', { index, label: file.name }], file.error ?? 'could not be read'));
      return;
    }
    const parsed = parseFile(file.name, file.text);
    items.push(...parsed.items);
    problems.push(...parsed.problems);
  });
  return { items, problems };
}

function parseFile(name: string, text: string): { items: Item<EntityOptions>[]; problems: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      items: [], problems: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return `${name} line ${pos.line}, column ${pos.col}: YAML syntax error: ${e.message.split('\n')[0] ?? e.message}`;
      }),
    };
  }
  const content = doc.toJS() as unknown;
  const bare = Array.isArray(content);
  const list = bare ? content : isRecord(content) ? content.entities : undefined;
  const problems: string[] = [];
  if (isRecord(content)) {
    for (const key of Object.keys(content).filter((k) => k !== 'entities')) {
      problems.push(`${name} line ${lineOf(doc, lines, [key])}: ${key} is not known here (a register file holds entities:)`);
    }
  }
  if (!Array.isArray(list)) {
    problems.push(`${name} line 1: must hold entities: with a list of entities, written like the entities option`);
    return { items: [], problems };
  }
  /** Position of a schema path in the document: the file's own keys, whichever form it has. */
  const where = (p: Path) => lineOf(doc, lines, p.slice(bare ? 1 : 0).map((s) => (typeof s === 'string' ? s : s.index)));
  const items = list.map((raw: unknown, i): Item<EntityOptions> => {
    const itemPath: Path = ['entities', itemSegment(i, raw)];
    for (const p of validateWithPaths(entitySchema, raw, itemPath).problems) {
      problems.push(`${name} line ${where(p.path)}: ${formatProblem(p.path, p.message)}`);
    }
    const place = (field: string | undefined) => `${name} line ${where(field === undefined ? itemPath : [...itemPath, field])}`;
    return { raw, fields: validFieldsOf(entitySchema, raw), origin: { path: itemPath, place } };
  });
  return { items, problems };
}

/** Line of the deepest node along `keys` that exists (a missing field: its item's line). */
function lineOf(doc: Document, lines: LineCounter, keys: ReadonlyArray<string | number>): number {
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return 1;
}
