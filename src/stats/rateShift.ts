/**
 * Regime shifts seen in the last polls (issue 15 item 5): the long-run rate fades with a half-life
 * of days, so when a value that was frozen starts changing (sunrise, a heat pump starting) the
 * learned rate still says "frozen" for hours. Each entity keeps its last polls (interval, changed)
 * in a small ring; when they hold far more changes than the rate in force predicts — a likelihood
 * ratio of at least e^SHIFT_LLR against it, or any change at all for a rate of zero — the entity is
 * shifted up: until SETTLE_POLLS polls after the detection exist its rate is unknown (the optimizer
 * puts it back to its configured interval at once), then it is the fit of those polls, for as long as
 * they still contradict the long-run rate. Only upward shifts are detected here: a value that falls
 * quiet is slowed by the quiet-poll rule of the local steps, which needs no such test. A context
 * state the entity was never polled in (entityStats.ts) starts the same unknown period.
 */
import { changeProbability, fitCensored, type PollGroup, type RateFit } from './censoredRate.js';

/**
 * ln of the likelihood ratio that counts as a shift (2·LLR = 18: p ≈ 2·10⁻⁵ for one test). Tested
 * afresh on every changed poll, a value changing at its learned rate raised a false alarm on 2 of 100
 * simulated days of 15 s polls (test/unit/rateShift.test.ts); a false alarm costs at most a few polls
 * at the configured interval.
 */
export const SHIFT_LLR = 9;
/** Below this many standard deviations above the expected count no likelihood ratio can reach SHIFT_LLR in practice. */
const PREFILTER_Z = 2;
/** Polls after the detection before the recent rate is used instead of "unknown". */
export const SETTLE_POLLS = 8;
/** Polls kept per entity. */
export const RECENT_POLLS = 32;

/** The rate a shift is tested against: changes per ms and the model's state share c. */
export interface LongRun {
  ratePerMs: number;
  c: number;
}

/** The last RECENT_POLLS polls of one entity: when, after how long, and whether the value had changed. */
export class RecentPolls {
  private readonly at = new Float64Array(RECENT_POLLS);
  private readonly intervals = new Float64Array(RECENT_POLLS);
  private readonly changed = new Uint8Array(RECENT_POLLS);
  private head = 0;
  private count = 0;

  push(at: number, intervalMs: number, changed: boolean): void {
    this.at[this.head] = at;
    this.intervals[this.head] = intervalMs;
    this.changed[this.head] = changed ? 1 : 0;
    this.head = (this.head + 1) % RECENT_POLLS;
    this.count = Math.min(this.count + 1, RECENT_POLLS);
  }

  /** Polls read after `t` (all kept ones for −Infinity), oldest first. */
  after(t: number): Array<{ T: number; changed: boolean }> {
    const out: Array<{ T: number; changed: boolean }> = [];
    for (let i = 0; i < this.count; i++) {
      const k = (this.head - this.count + i + RECENT_POLLS) % RECENT_POLLS;
      if ((this.at[k] ?? -Infinity) > t) out.push({ T: this.intervals[k] ?? 0, changed: this.changed[k] === 1 });
    }
    return out;
  }
}

/** Log-likelihood of the polls at rate λ (per ms); −Infinity when λ makes a seen change impossible. */
function logLikAt(polls: ReadonlyArray<{ T: number; changed: boolean }>, ratePerMs: number, c: number): number {
  let ll = 0;
  for (const p of polls) {
    const q = changeProbability(ratePerMs, p.T, c);
    ll += p.changed ? Math.log(q) : Math.log1p(-q);
  }
  return ll;
}

/** The polls' own maximum-likelihood fit (each poll its own group, so mixed intervals stay exact). */
export function fitPolls(polls: ReadonlyArray<{ T: number; changed: boolean }>, c: number): RateFit {
  const groups: PollGroup[] = polls.map((p) => (p.changed ? { w1: 1, t1: p.T, w0: 0, t0: 0 } : { w1: 0, t1: 0, w0: 1, t0: p.T }));
  return fitCensored(groups, c);
}

/**
 * Whether the polls hold significantly more changes than `longRun` predicts: first a cheap count
 * against the expected number (most polls of a steady value stop there), then the likelihood ratio
 * of their own fit against the long-run rate.
 */
export function shiftedUp(polls: ReadonlyArray<{ T: number; changed: boolean }>, longRun: LongRun): boolean {
  let expected = 0;
  let variance = 0;
  let seen = 0;
  for (const p of polls) {
    const q = changeProbability(longRun.ratePerMs, p.T, longRun.c);
    expected += q;
    variance += q * (1 - q);
    if (p.changed) seen++;
  }
  if (seen === 0 || seen < expected + 1 + PREFILTER_Z * Math.sqrt(variance)) return false;
  const base = logLikAt(polls, longRun.ratePerMs, longRun.c);
  if (base === -Infinity) return true;
  const own = fitPolls(polls, longRun.c);
  if (!(own.ratePerMs > longRun.ratePerMs)) return false;
  // a saturated fit reports its lower bound; the likelihood there is still at least the long-run's
  return logLikAt(polls, own.ratePerMs, longRun.c) - base >= SHIFT_LLR;
}

/**
 * One entity's shift state: its recent polls, the long-run rate they are tested against and, while
 * shifted up, when the shift was seen. The reference is a snapshot taken on an unchanged poll and
 * renewed every RECENT_POLLS polls, and a shift is tested on the polls after it only: the long-run
 * evidence already holds the newest polls, and a value frozen all night that changes once is at once
 * "rarely changing" rather than "constant" to it, which would hide the very change being tested.
 */
export class ShiftWatch {
  readonly recent = new RecentPolls();
  /** Time of the poll that showed the shift (or of the unseen context state); undefined while none is in force. */
  since: number | undefined;
  /** Whether the polls showed it (a change the rate cannot explain), not only an unseen context state. */
  observed = false;
  private reference: LongRun | undefined;
  private referenceAt = -Infinity;
  private pollsSinceReference = 0;

  /**
   * Adds a poll and updates the state (`longRun` gives the rate in force now, lazily; undefined while
   * the entity has none): a changed poll may start a shift; once settled, a shift ends when its polls
   * no longer contradict the long-run rate (the learning caught up, or the burst is over).
   */
  observe(at: number, intervalMs: number, changed: boolean, longRun: () => LongRun | undefined): void {
    this.recent.push(at, intervalMs, changed);
    this.pollsSinceReference++;
    if (!this.observed && changed && this.reference && shiftedUp(this.recent.after(this.referenceAt), this.reference)) {
      this.since ??= at;
      this.observed = true;
      return;
    }
    if (this.since === undefined) {
      if (!changed && (!this.reference || this.pollsSinceReference >= RECENT_POLLS)) this.refer(longRun(), at);
      return;
    }
    const post = this.recent.after(this.since);
    if (post.length < SETTLE_POLLS) return;
    const now = longRun();
    if (!now || !shiftedUp(post, now)) {
      this.since = undefined;
      this.observed = false;
      this.refer(now, at);
    }
  }

  private refer(reference: LongRun | undefined, at: number): void {
    this.reference = reference;
    this.referenceAt = at;
    this.pollsSinceReference = 0;
  }

  /** The entity entered a context state it was hardly ever polled in: its rate is unknown until polls there exist. */
  unseen(at: number): void {
    this.since ??= at;
  }

  /** The recent fit once settled (undefined while settling); only meaningful while `since` is set. */
  recentFit(c: number): RateFit | undefined {
    if (this.since === undefined) return undefined;
    const post = this.recent.after(this.since);
    return post.length < SETTLE_POLLS ? undefined : fitPolls(post, c);
  }
}
