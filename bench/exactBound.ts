/**
 * The exact bound of issue 11 (bound b): a proven lower bound on the expected mean staleness any
 * polling policy can reach for a given bus time on the simulated window — true per-regime rates with
 * the real switching instants, continuous intervals, and block costs no planner can undercut.
 *
 * The relaxation, each step only ever lowering staleness or cost (so the result stays a lower bound):
 * - the window is cut where any context switches (sun, machines); in each piece every rate is
 *   constant, and each entity gets one free read at the piece's start;
 * - within a piece, n reads of a Poisson value give the least expected staleness when equally spaced
 *   (the staleness over one gap is convex in its length), i.e. interval T = D / (n + 1), and n may be
 *   any real ≥ 0 up to the entity's fastest interval;
 * - a read of e costs only its own registers' share of the line time (request, gaps and turnaround
 *   left out), and the requests to one readable range of a unit's table in a piece cost the fixed
 *   request time once per read of its most-read entity (every read needs a request, a request reads
 *   an entity once, and no request crosses from one range to another: the device refuses those);
 * - values that can show a stale value for less than a Poisson model says — a machine's linked
 *   channels (readable the instant its HA running state switches) and multi-state values (a change
 *   can switch back) — are bounded by zero staleness at zero cost. Walks may step back to a shown
 *   value too; the bench counts how often (README).
 * Triggered reads are outside the bound: it holds for every policy that decides its reads from past
 * reads and context states, which is every policy the bench runs (the optimizer adopted no cluster).
 * The problem is convex in the read rates, so for each price p the Lagrangian is minimised exactly
 * (golden sections on convex one-dimensional functions), and weak duality turns the prices' optima
 * into the bound: for any policy with bus utilisation ≤ B, mean staleness ≥ max_p S_p + p (C_p − B).
 */
import { expectedAgeMs } from '../src/metrics/ageModel.js';

export interface BoundEntity {
  /** Unit, table and readable range it is read from on its bus: only reads of one group share requests. */
  group: string;
  /** Line time of its registers alone in a reply (ms). */
  marginalMs: number;
  /** Fastest interval any policy may read it at (ms). */
  minIntervalMs: number;
}

export interface BoundPiece {
  durationMs: number;
  /** True change rate (per ms) of each entity in this piece, by index; 0 or absent = bounded by zero. */
  ratesPerMs: Float64Array;
}

export interface BoundProblem {
  /** Every entity of the site (those bounded by zero count in the mean too). */
  entities: readonly BoundEntity[];
  /** Fixed time of one request per group (ms). */
  requestMs: ReadonlyMap<string, number>;
  pieces: readonly BoundPiece[];
  windowMs: number;
  buses: number;
}

export interface BoundPoint {
  /** Price of bus utilisation in ms of mean staleness per unit of utilisation. */
  price: number;
  /** The relaxation's optimum at this price (staleness and bus time of its reads). */
  meanStalenessMs: number;
  busUtilisation: number;
}

/** The relaxation's least mean staleness + price · bus utilisation: no schedule scores lower. */
const lagrangian = (pt: BoundPoint) => pt.meanStalenessMs + pt.price * pt.busUtilisation;

const PHI = (Math.sqrt(5) - 1) / 2;

/** Minimum of a convex f on [lo, hi] by golden section. */
export function goldenMin(f: (x: number) => number, lo: number, hi: number, iterations = 80): { x: number; y: number } {
  let a = lo;
  let b = hi;
  let c = b - PHI * (b - a);
  let d = a + PHI * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iterations && b - a > 1e-9 * Math.max(1, Math.abs(b)); i++) {
    if (fc <= fd) {
      b = d; d = c; fd = fc; c = b - PHI * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd; d = a + PHI * (b - a); fd = f(d);
    }
  }
  const candidates = [{ x: lo, y: f(lo) }, { x: hi, y: f(hi) }, { x: (a + b) / 2, y: f((a + b) / 2) }];
  return candidates.reduce((best, p) => (p.y < best.y ? p : best));
}

/** Expected staleness integrated over a piece of length D read n times (plus the free read at its start). */
function pieceStaleness(durationMs: number, rate: number, reads: number): number {
  return durationMs * expectedAgeMs(durationMs / (reads + 1), rate);
}

interface GroupMember { rate: number; maxReads: number; marginalMs: number }

/** Reads per member of one group in one piece at staleness weight w and bus price q, exactly. */
function solveGroup(members: readonly GroupMember[], durationMs: number, w: number, q: number, requestMs: number): number[] {
  const own = members.map((m) => goldenMin((n) => w * pieceStaleness(durationMs, m.rate, n) + q * m.marginalMs * n, 0, m.maxReads).x);
  const top = Math.max(0, ...own);
  const reads = (cap: number) => own.map((n) => Math.min(n, cap));
  const cost = (cap: number) => q * requestMs * cap
    + reads(cap).reduce((s, n, i) => { const m = members[i] as GroupMember; return s + w * pieceStaleness(durationMs, m.rate, n) + q * m.marginalMs * n; }, 0);
  return reads(goldenMin(cost, 0, top).x);
}

/** The Lagrangian's minimiser at one price: expected mean staleness and bus utilisation. */
export function boundAtPrice(problem: BoundProblem, price: number): BoundPoint {
  const n = problem.entities.length;
  const w = 1 / (n * problem.windowMs);
  const q = price / (problem.windowMs * problem.buses);
  let staleness = 0;
  let busMs = 0;
  for (const piece of problem.pieces) {
    const groups = new Map<string, GroupMember[]>();
    problem.entities.forEach((e, index) => {
      const rate = piece.ratesPerMs[index] ?? 0;
      if (!(rate > 0)) return;
      const list = groups.get(e.group) ?? [];
      list.push({ rate, maxReads: Math.max(0, piece.durationMs / e.minIntervalMs - 1), marginalMs: e.marginalMs });
      groups.set(e.group, list);
    });
    for (const [group, members] of groups) {
      const requestMs = problem.requestMs.get(group) ?? 0;
      const got = solveGroup(members, piece.durationMs, w, q, requestMs);
      busMs += requestMs * Math.max(0, ...got);
      got.forEach((r, i) => {
        const m = members[i] as GroupMember;
        staleness += w * pieceStaleness(piece.durationMs, m.rate, r);
        busMs += m.marginalMs * r;
      });
    }
  }
  return { price, meanStalenessMs: staleness, busUtilisation: busMs / (problem.windowMs * problem.buses) };
}

/** Prices from 1 to 10⁸ ms of mean staleness per unit of bus utilisation, six per decade. */
export const DEFAULT_PRICES: readonly number[] = Array.from({ length: 49 }, (_, i) => 10 ** (i / 6));

/** The Lagrangian optima over a log grid of prices (ms of staleness per unit of utilisation). */
export function boundCurve(problem: BoundProblem, prices: readonly number[] = DEFAULT_PRICES): BoundPoint[] {
  return prices.map((p) => boundAtPrice(problem, p));
}

/** The least expected mean staleness at bus utilisation ≤ `bus` the curve proves (weak duality). */
export function stalenessBoundAt(curve: readonly BoundPoint[], bus: number): number {
  return Math.max(0, ...curve.map((pt) => lagrangian(pt) - pt.price * bus));
}

/** The least bus utilisation that can reach expected mean staleness ≤ `stalenessMs` (weak duality). */
export function busBoundAt(curve: readonly BoundPoint[], stalenessMs: number): number {
  return Math.max(0, ...curve.map((pt) => (lagrangian(pt) - stalenessMs) / pt.price));
}
