/**
 * A tiny schema builder so the app's options are declared exactly once. The same declaration gives the
 * TypeScript type (`Infer`), the defaults, validation that reports every problem with its path, the
 * Home Assistant supervisor schema strings for config.yaml, and the rows of the DOCS.md options table.
 * It knows only what the options need: no coercion, no unions beyond a single choice among strings.
 */

/** One step of a path: an object key, or a list index with an optional label (the item's `name`). */
export type Segment = string | { index: number; label?: string };
export type Path = readonly Segment[];

/** What the supervisor accepts as an option schema: a type string, or nested lists and dicts of them. */
export type SupervisorSchema = string | SupervisorSchema[] | { [key: string]: SupervisorSchema };

export interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  default: unknown;
  description: string;
}

const INVALID: unique symbol = Symbol('invalid');
type Checked<T> = T | typeof INVALID;
type Report = (path: Path, message: string) => void;

/** Renders a path and message: `entities[3] (Grid power): data_type "x" is not one of …`. */
export function formatProblem(path: Path, message: string): string {
  const first = path.findIndex((s) => typeof s !== 'string');
  const render = (segs: readonly Segment[]): string => segs.map((s, i) => typeof s === 'string'
    ? (i === 0 ? s : `.${s}`)
    : `[${s.index}]${s.label === undefined ? '' : ` (${s.label})`}`).join('');
  const head = render(path.slice(0, first + 1));
  const field = render(path.slice(first + 1));
  if (head === '') return field === '' ? message : `${field} ${message}`;
  return field === '' ? `${head}: ${message}` : `${head}: ${field} ${message}`;
}

/** A value as it appears in a message: JSON for scalars, a word for structures. */
export function show(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A list item's path step, labelled with the item's `name` when it has one. */
export function itemSegment(index: number, raw: unknown): Segment {
  return isRecord(raw) && typeof raw.name === 'string' && raw.name !== '' ? { index, label: raw.name } : { index };
}

export abstract class Node<T> {
  /** Phantom: carries the inferred type. */
  declare readonly _type: T;
  isOptional = false;
  hasDefault = false;
  defaultValue: unknown = undefined;
  description = '';

  /** Validates a present (non-null) input; reports problems and returns INVALID on failure. */
  abstract check(input: unknown, path: Path, report: Report): Checked<T>;
  /** The supervisor type string, without the optional marker. */
  abstract typeString(): SupervisorSchema;

  optional(): Node<T | undefined> {
    return this.copy((n) => { n.isOptional = true; });
  }

  default(value: T): Node<T> {
    return this.copy((n) => { n.hasDefault = true; n.defaultValue = value; });
  }

  describe(text: string): this {
    return this.copy((n) => { n.description = text; });
  }

  /** Modifiers never mutate: a node may be shared between schemas. */
  private copy(change: (n: this) => void): this {
    const clone = Object.assign(Object.create(Object.getPrototypeOf(this) as object) as this, this);
    change(clone);
    return clone;
  }
}

export type Infer<S> = S extends Node<infer T> ? T : never;
type Shape = Record<string, Node<unknown>>;
type Flat<T> = { [K in keyof T]: T[K] };
type ObjectOf<S extends Shape> = Flat<
  { [K in keyof S as undefined extends Infer<S[K]> ? never : K]: Infer<S[K]> } &
  { [K in keyof S as undefined extends Infer<S[K]> ? K : never]?: Infer<S[K]> }
>;

function bounds(name: string, min?: number, max?: number): string {
  return min === undefined && max === undefined ? name : `${name}(${min ?? ''},${max ?? ''})`;
}

export class NumberNode extends Node<number> {
  constructor(private readonly integer: boolean, readonly min?: number, readonly max?: number) { super(); }

  check(input: unknown, path: Path, report: Report): Checked<number> {
    const ok = typeof input === 'number' && (this.integer ? Number.isInteger(input) : Number.isFinite(input));
    if (!ok) return fail(report, path, `${show(input)} is not ${this.integer ? 'an integer' : 'a number'}`);
    const { min, max } = this;
    const low = min !== undefined && input < min;
    if (!low && !(max !== undefined && input > max)) return input;
    if (min !== undefined && max !== undefined) return fail(report, path, `${input} is not between ${min} and ${max}`);
    return fail(report, path, low ? `${input} is less than ${min}` : `${input} is greater than ${max}`);
  }

  typeString(): string { return bounds(this.integer ? 'int' : 'float', this.min, this.max); }
}

export class StringNode extends Node<string> {
  constructor(private readonly pattern?: RegExp) { super(); }

  check(input: unknown, path: Path, report: Report): Checked<string> {
    if (typeof input !== 'string') return fail(report, path, `${show(input)} is not a string`);
    if (this.pattern && !this.pattern.test(input)) {
      return fail(report, path, `${show(input)} does not match ${this.pattern.source}`);
    }
    return input;
  }

  typeString(): string { return this.pattern ? `match(${this.pattern.source})` : 'str'; }
}

/** A string the supervisor's UI hides as it is typed (passwords); never logged. */
export class SecretNode extends StringNode {
  override typeString(): string { return 'password'; }
}

export class BoolNode extends Node<boolean> {
  check(input: unknown, path: Path, report: Report): Checked<boolean> {
    return typeof input === 'boolean' ? input : fail(report, path, `${show(input)} is not true or false`);
  }

  typeString(): string { return 'bool'; }
}

export class OneOfNode<C extends string> extends Node<C> {
  constructor(readonly choices: readonly C[]) { super(); }

  check(input: unknown, path: Path, report: Report): Checked<C> {
    return (this.choices as readonly unknown[]).includes(input) ? input as C
      : fail(report, path, `${show(input)} is not one of ${this.choices.join(', ')}`);
  }

  typeString(): string { return `list(${this.choices.join('|')})`; }
}

export class ListNode<I> extends Node<I[]> {
  constructor(readonly item: Node<I>) { super(); }

  check(input: unknown, path: Path, report: Report): Checked<I[]> {
    if (!Array.isArray(input)) return fail(report, path, `${show(input)} is not a list`);
    const out: I[] = [];
    let ok = true;
    input.forEach((raw: unknown, index) => {
      const value = checkValue(this.item, raw, [...path, itemSegment(index, raw)], report);
      if (value === INVALID) ok = false; else out.push(value as I);
    });
    return ok ? out : INVALID;
  }

  typeString(): SupervisorSchema[] { return [toSupervisorSchema(this.item)]; }
}

export class ObjectNode<S extends Shape> extends Node<ObjectOf<S>> {
  constructor(readonly shape: S) { super(); }

  /** Missing → {} with every field's own default (for option groups whose fields all have one). */
  filled(): ObjectNode<S> {
    return this.default({} as ObjectOf<S>) as ObjectNode<S>;
  }

  check(input: unknown, path: Path, report: Report): Checked<ObjectOf<S>> {
    if (!isRecord(input)) return fail(report, path, `${show(input)} is not an object`);
    let ok = true;
    for (const key of Object.keys(input)) {
      if (Object.hasOwn(this.shape, key)) continue;
      const near = Object.keys(this.shape).find((k) => editDistance(k, key) <= 2);
      report([...path, key], `is not a known option${near === undefined ? '' : ` (did you mean ${near}?)`}`);
      ok = false;
    }
    const out: Record<string, unknown> = {};
    for (const [key, node] of Object.entries(this.shape)) {
      const value = checkValue(node, input[key], [...path, key], report);
      if (value === INVALID) ok = false; else if (value !== undefined) out[key] = value;
    }
    return ok ? out as ObjectOf<S> : INVALID;
  }

  typeString(): { [key: string]: SupervisorSchema } {
    const out: { [key: string]: SupervisorSchema } = {};
    for (const [key, node] of Object.entries(this.shape)) out[key] = toSupervisorSchema(node);
    return out;
  }
}

function fail(report: Report, path: Path, message: string): typeof INVALID {
  report(path, message);
  return INVALID;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Missing (undefined or null, as YAML writes an empty value) → default, undefined, or "is required". */
function checkValue<T>(node: Node<T>, input: unknown, path: Path, report: Report): Checked<T> | undefined {
  if (input === undefined || input === null) {
    // a default passes through check() too, so an object's default {} gets its fields' defaults
    if (node.hasDefault) return node.check(structuredClone(node.defaultValue), path, report);
    return node.isOptional ? undefined : fail(report, path, 'is required');
  }
  return node.check(input, path, report);
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

export const str = (pattern?: RegExp): Node<string> => new StringNode(pattern);
export const secret = (): Node<string> => new SecretNode();
export const int = (min?: number, max?: number): Node<number> => new NumberNode(true, min, max);
export const float = (min?: number, max?: number): Node<number> => new NumberNode(false, min, max);
export const bool = (): Node<boolean> => new BoolNode();
export const oneOf = <const C extends string>(choices: readonly C[]): OneOfNode<C> => new OneOfNode(choices);
export const list = <I>(item: Node<I>): ListNode<I> => new ListNode(item);
export const object = <S extends Shape>(shape: S): ObjectNode<S> => new ObjectNode(shape);

/** Validates `input` against `schema` and reports every problem; `value` is set only when there are none. */
export function validate<T>(schema: Node<T>, input: unknown, path: Path = []):
{ value: T | undefined; problems: string[] } {
  const { value, problems } = validateWithPaths(schema, input, path);
  return { value, problems: problems.map((p) => formatProblem(p.path, p.message)) };
}

export interface PathProblem {
  path: Path;
  message: string;
}

/** As validate, with each problem's path kept apart (to find its line in a YAML file). */
export function validateWithPaths<T>(schema: Node<T>, input: unknown, path: Path = []):
{ value: T | undefined; problems: PathProblem[] } {
  const problems: PathProblem[] = [];
  const value = checkValue(schema, input, path, (p, message) => problems.push({ path: p, message }));
  return { value: value === INVALID || problems.length > 0 ? undefined : value, problems };
}

/** The fields of an object input that are valid on their own (defaults applied), for cross-field checks. */
export function validFieldsOf<S extends Shape>(schema: ObjectNode<S>, input: unknown): Partial<ObjectOf<S>> {
  const out: Record<string, unknown> = {};
  if (!isRecord(input)) return out as Partial<ObjectOf<S>>;
  for (const [key, node] of Object.entries(schema.shape)) {
    const value = checkValue(node, input[key], [key], () => undefined);
    if (value !== INVALID && value !== undefined) out[key] = value;
  }
  return out as Partial<ObjectOf<S>>;
}

/** The supervisor schema; fields that may be left out (optional or defaulted scalars) get `?`. */
export function toSupervisorSchema(schema: Node<unknown>): SupervisorSchema {
  const type = schema.typeString();
  return typeof type === 'string' && (schema.isOptional || schema.hasDefault) ? `${type}?` : type;
}

/** The defaults an object schema fills in, nested objects included (the `options:` block of config.yaml). */
export function defaultsOf(schema: Node<unknown>): unknown {
  const recurse = schema instanceof ObjectNode && (schema.hasDefault || !schema.isOptional);
  if (!recurse) return schema.hasDefault ? structuredClone(schema.defaultValue) : undefined;
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(schema.shape as Shape)) {
    const value = defaultsOf(node);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** One row per field, lists as `name[].field`, for the DOCS.md options table. */
export function describeFields(schema: Node<unknown>, prefix = ''): FieldRow[] {
  const inner = schema instanceof ListNode ? (schema.item as Node<unknown>) : schema;
  if (!(inner instanceof ObjectNode)) return [];
  const base = schema instanceof ListNode ? `${prefix}[].` : prefix === '' ? '' : `${prefix}.`;
  return Object.entries(inner.shape as Shape).flatMap(([key, node]) => {
    const type = node.typeString();
    const row: FieldRow = {
      path: `${base}${key}`,
      type: typeof type === 'string' ? type : Array.isArray(type) ? 'list' : 'object',
      required: !node.isOptional && !node.hasDefault,
      default: node.hasDefault ? node.defaultValue : undefined,
      description: node.description,
    };
    return [row, ...describeFields(node, `${base}${key}`)];
  });
}
