/**
 * Exponential forgetting without touching stored numbers on every sample. A poll at time t gets the
 * weight e^((t − ref)/τ), which grows with time; reading the evidence "as of now" multiplies by
 * e^(−(now − ref)/τ). Ratios (and so every maximum-likelihood estimate) are unaffected by the common
 * factor, and once the weights grow large the owner rebases: moves `ref` forward and rescales
 * everything once (amortised O(1) per sample).
 */
export interface DecayJSON {
  refMs: number;
}

/** Rebase once weights exceed e^30 (≈ 1e13), far from double precision trouble. */
const REBASE_EXPONENT = 30;

export class Decay {
  private readonly tauMs: number;

  constructor(halfLifeMs: number, private refMs: number) {
    this.tauMs = halfLifeMs > 0 && Number.isFinite(halfLifeMs) ? halfLifeMs / Math.LN2 : Infinity;
  }

  /** Weight for evidence observed at t. */
  weight(t: number): number {
    return Math.exp((t - this.refMs) / this.tauMs);
  }

  /** Factor turning stored weights into weights as of `now` (recent evidence ≈ 1 each). */
  scaleAt(now: number): number {
    return Math.exp(-(now - this.refMs) / this.tauMs);
  }

  /** When weights at t have grown too large: the factor to rescale stored weights by, after which ref = t. */
  rebaseFactor(t: number): number | undefined {
    if ((t - this.refMs) / this.tauMs < REBASE_EXPONENT) return undefined;
    const f = this.scaleAt(t);
    this.refMs = t;
    return f;
  }

  toJSON(): DecayJSON {
    return { refMs: this.refMs };
  }
}
