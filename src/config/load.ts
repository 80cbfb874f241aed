/**
 * Reads an options file into a plain value: options.json in app mode, JSON or YAML in standalone mode.
 * Failures become ConfigErrors that name the file and, for syntax errors, the line and column, because
 * "invalid options" without a place to look is the most common support question. File access is passed
 * in so tests and the simulator choose where options come from.
 */
import { parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';

export type ReadFile = (path: string) => Promise<string>;

/** The options file does not exist (the caller decides whether that is fatal or means "run the demo"). */
export class OptionsFileMissingError extends ConfigError {
  constructor(readonly path: string) {
    super([`options file ${path} does not exist`]);
    this.name = 'OptionsFileMissingError';
  }
}

/** Parses the file; `.json` strictly as JSON, anything else as YAML (which also reads JSON). */
export async function loadOptionsFile(path: string, readFile: ReadFile): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') throw new OptionsFileMissingError(path);
    throw new ConfigError([`cannot read options file ${path}: ${(err as Error).message}`]);
  }
  return path.toLowerCase().endsWith('.json') ? parseJson(path, text) : parseYaml(path, text);
}

function parseYaml(path: string, text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      return `${path}: YAML syntax error${where}: ${e.message.split(' at line ')[0] ?? e.message}`;
    }));
  }
  return doc.toJS() as unknown;
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // V8 quotes the whole input in its message; the file name and position say more.
    const message = (err as Error).message.replace(/, ".*" is not valid JSON$/s, '');
    const pos = jsonErrorPosition(text, message);
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    throw new ConfigError([`${path}: JSON syntax error${where}: ${message}`]);
  }
}

/**
 * Node 20's JSON.parse rarely says where it failed, so ask the YAML parser (in its JSON schema) where it
 * trips; fall back to "position N" in the message, which newer engines give.
 */
function jsonErrorPosition(text: string, message: string): { line: number; col: number } | undefined {
  const found = parseDocument(text, { schema: 'json', prettyErrors: true }).errors[0]?.linePos?.[0];
  if (found) return found;
  const offset = /position (\d+)/.exec(message)?.[1];
  if (offset === undefined) return undefined;
  const before = text.slice(0, Number(offset)).split('\n');
  return { line: before.length, col: (before[before.length - 1] ?? '').length + 1 };
}
