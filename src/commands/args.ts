/**
 * Reads a command's arguments and collects every problem before failing, so one answer names
 * everything wrong with a request (a missing entity and a misspelt key together), and unknown keys
 * are reported with a near match ("did you mean entity?") instead of being silently ignored.
 */
import { editDistance, show } from '../config/schemaDsl.js';
import { CommandError, type CommandErrorCode } from './types.js';

type Problem = { code: CommandErrorCode; text: string };

export class Args {
  private readonly problems: Problem[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly raw: Readonly<Record<string, unknown>>) {}

  has(key: string): boolean {
    this.used.add(key);
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** The raw value, or undefined when absent (marks the key as known). */
  value(key: string): unknown {
    this.used.add(key);
    return this.raw[key] ?? undefined;
  }

  string(key: string): string {
    const v = this.value(key);
    if (typeof v === 'string' && v !== '') return v;
    this.problem(v === undefined ? 'missing_argument' : 'invalid_argument',
      v === undefined ? `${key} is required` : `${key} ${show(v)} is not a non-empty string`);
    return '';
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  int(key: string, min: number, max: number): number {
    const v = this.value(key);
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    this.problem(v === undefined ? 'missing_argument' : 'invalid_argument',
      v === undefined ? `${key} is required` : `${key} ${show(v)} is not an integer from ${min} to ${max}`);
    return min;
  }

  optionalInt(key: string, min: number, max: number): number | undefined {
    return this.has(key) ? this.int(key, min, max) : undefined;
  }

  /** Adds a problem found by the command's own checks. */
  problem(code: CommandErrorCode, text: string): void {
    this.problems.push({ code, text });
  }

  /** Throws one CommandError with every problem, unknown keys included; the first problem's code wins. */
  finish(): void {
    const known = [...this.used];
    for (const key of Object.keys(this.raw)) {
      if (this.used.has(key)) continue;
      const near = known.find((k) => editDistance(k, key) <= 2);
      this.problem('invalid_argument', `${key} is not an argument of this command${near ? ` (did you mean ${near}?)` : ''}`);
    }
    const first = this.problems[0];
    if (first) throw new CommandError(first.code, this.problems.map((p) => p.text).join('; '));
  }
}
