/**
 * A noisy RS-485 line between the app and a device: the relay holds the inner ends of two pty pairs
 * (the app's serial port on one pair, the pymodbus device on the other) and copies bytes across. Requests
 * pass untouched; each reply (the device's bytes up to a short silence, which is how RTU delimits frames)
 * is, at a configurable rate, damaged in one of three ways a bad line damages frames: one flipped bit (a
 * CRC error), random garbage bytes inserted before, inside or after it, or bytes dropped. It counts what
 * it did, so a scenario can set the app's figures against the faults it was really given.
 */
import serialport from 'serialport';

const { SerialPort } = serialport;
type Port = InstanceType<typeof SerialPort>;

export type CorruptionKind = 'bit_flip' | 'garbage' | 'drop';
export const CORRUPTION_KINDS: readonly CorruptionKind[] = ['bit_flip', 'garbage', 'drop'];

export interface RelayCounts {
  replies: number;
  corrupted: Record<CorruptionKind, number>;
  /**
   * Corrupted replies the app cannot have taken as they came: every bit flip and drop, and garbage
   * inside the frame. Garbage before or after an intact frame may be skipped by a receiver that
   * hunts for the frame, as modbus-serial's buffered RTU port does.
   */
  broken: number;
}

export interface CorruptingRelay {
  /** Share of replies to damage from now on (0 = a clean line). */
  setRate(rate: number): void;
  counts(): RelayCounts;
  stop(): Promise<void>;
}

export interface RelayOptions {
  /** The pty end facing the app (the other end of the app's serial_port). */
  appSide: string;
  /** The pty end facing the device (the other end of the device's port). */
  deviceSide: string;
  rate: number;
  random: () => number;
  /** Silence that ends a reply frame (ms); RTU's 3.5 characters, generously, on a pty. */
  frameGapMs?: number;
}

/** The damaged frame and whether it can still be read as it was. */
export function corrupt(frame: Buffer, kind: CorruptionKind, random: () => number): { bytes: Buffer; broken: boolean } {
  const at = (n: number) => Math.floor(random() * n);
  switch (kind) {
    case 'bit_flip': {
      const bytes = Buffer.from(frame);
      const i = at(bytes.length);
      bytes[i] = (bytes[i] ?? 0) ^ (1 << at(8));
      return { bytes, broken: true };
    }
    case 'garbage': {
      const pos = at(frame.length + 1);
      const noise = Buffer.from(Array.from({ length: 1 + at(8) }, () => at(256)));
      const bytes = Buffer.concat([frame.subarray(0, pos), noise, frame.subarray(pos)]);
      return { bytes, broken: pos > 0 && pos < frame.length };
    }
    case 'drop': {
      const n = Math.min(frame.length - 1, 1 + at(3));
      const pos = at(frame.length - n + 1);
      return { bytes: Buffer.concat([frame.subarray(0, pos), frame.subarray(pos + n)]), broken: true };
    }
  }
}

function openPort(path: string): Promise<Port> {
  return new Promise((resolve, reject) => {
    const port: Port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    port.open((err) => (err ? reject(new Error(`relay: cannot open ${path}: ${err.message}`, { cause: err })) : resolve(port)));
  });
}

function closePort(port: Port): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  });
}

export async function startCorruptingRelay(opts: RelayOptions): Promise<CorruptingRelay> {
  const app = await openPort(opts.appSide);
  const device = await openPort(opts.deviceSide).catch(async (err: unknown) => {
    await closePort(app);
    throw err;
  });
  let rate = opts.rate;
  let turn = 0; // the kinds take turns, so each is exercised as often as the others
  const counts: RelayCounts = { replies: 0, corrupted: { bit_flip: 0, garbage: 0, drop: 0 }, broken: 0 };
  let pending: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  const sendReply = () => {
    timer = undefined;
    const frame = Buffer.concat(pending);
    pending = [];
    counts.replies++;
    if (opts.random() >= rate) {
      app.write(frame);
      return;
    }
    const kind = CORRUPTION_KINDS[turn++ % CORRUPTION_KINDS.length] ?? 'bit_flip';
    const { bytes, broken } = corrupt(frame, kind, opts.random);
    counts.corrupted[kind]++;
    if (broken) counts.broken++;
    app.write(bytes);
  };
  device.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    if (timer) clearTimeout(timer);
    timer = setTimeout(sendReply, opts.frameGapMs ?? 4);
  });
  app.on('data', (chunk: Buffer) => device.write(chunk));
  return {
    setRate: (r) => { rate = r; },
    counts: () => ({ ...counts, corrupted: { ...counts.corrupted } }),
    async stop() {
      if (timer) clearTimeout(timer);
      await Promise.all([closePort(app), closePort(device)]);
    },
  };
}
