/**
 * Energy counters never fake a reset. Home Assistant takes any decrease of a `total_increasing` sensor
 * as a meter reset and books the whole reading again as new energy, so one bad read — an inverter's
 * 0 after an error, a dip while the SDongle re-syncs, a sentinel that slipped through — corrupts the
 * Energy dashboard for good (HA core #54345, ha-modbus-manager #75; huawei_solar went to `total` for
 * this, #711). A decrease is therefore held back: the last good reading stays shown. Only a drop to
 * near zero that the next reads confirm (they stay below the old reading and do not fall) is a real
 * reset and is published; a reading back at or above the old one ends the hold at once.
 */

/** A drop to at most this share of the shown reading may be a real reset; anything higher is a dip. */
export const RESET_SHARE = 0.05;
/** Reads after the drop that must agree before a reset is believed. */
export const RESET_CONFIRMATIONS = 2;

export type CounterVerdict =
  | { kind: 'publish'; value: number }
  /** Keep showing the last good reading. */
  | { kind: 'hold'; shown: number; reason: 'dip' | 'unconfirmed reset' };

export class CounterGuard {
  private shown: number | undefined;
  private candidate: { value: number; confirmations: number } | undefined;

  /** Judges one decoded reading (null readings are the caller's: they publish unknown, not a number). */
  judge(value: number): CounterVerdict {
    const shown = this.shown;
    if (shown === undefined || value >= shown) return this.publish(value);
    if (value > shown * RESET_SHARE) {
      this.candidate = undefined;
      return { kind: 'hold', shown, reason: 'dip' };
    }
    const c = this.candidate;
    if (c === undefined || value < c.value) {
      this.candidate = { value, confirmations: 0 };
      return { kind: 'hold', shown, reason: 'unconfirmed reset' };
    }
    c.value = value;
    if (++c.confirmations < RESET_CONFIRMATIONS) return { kind: 'hold', shown, reason: 'unconfirmed reset' };
    return this.publish(value);
  }

  private publish(value: number): CounterVerdict {
    this.shown = value;
    this.candidate = undefined;
    return { kind: 'publish', value };
  }
}
