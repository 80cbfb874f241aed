/**
 * Modbus RTU framing: unit id, PDU, CRC-16. On a serial line frames are separated by silence, but RTU
 * carried over TCP (a "RTU over TCP" gateway) has no gaps and no length header, so a request's length
 * must be known from its function code: fixed for reads and single writes, byte-counted for multiple
 * writes. An unknown function code leaves the stream unframeable, which the splitter reports.
 */
import { crcMatches, withCrc } from './crc.js';
import { ModbusFrameError } from './frameError.js';

export interface RtuFrame {
  unitId: number;
  pdu: Buffer;
}

/** Function codes whose request length the splitter knows. */
const FIXED_REQUEST = new Set([1, 2, 3, 4, 5, 6]);
const COUNTED_REQUEST = new Set([15, 16]);

/**
 * Length of the request frame at the start of `bytes` (unit, PDU, CRC), undefined until enough bytes
 * arrived to tell. Throws ModbusFrameError for a function code whose request length is unknown.
 */
export function rtuRequestLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 2) return undefined;
  const fn = bytes[1] ?? 0;
  if (FIXED_REQUEST.has(fn)) return 8; // unit, fn, address, count or value, CRC
  if (COUNTED_REQUEST.has(fn)) return bytes.length >= 7 ? 9 + (bytes[6] ?? 0) : undefined;
  throw new ModbusFrameError(`RTU request with function code ${fn}: length unknown`, bytes);
}

/** One RTU frame: unit id, PDU and CRC. */
export function encodeRtu(unitId: number, pdu: Uint8Array): Buffer {
  const body = Buffer.alloc(1 + pdu.length);
  body.writeUInt8(unitId & 0xff, 0);
  body.set(pdu, 1);
  return withCrc(body);
}

/** Unit id and PDU of a whole RTU frame; throws ModbusFrameError when it is too short or its CRC is wrong. */
export function decodeRtu(frame: Uint8Array): RtuFrame {
  if (frame.length < 4) throw new ModbusFrameError(`RTU frame of ${frame.length} bytes, at least 4 needed`, frame);
  if (!crcMatches(frame)) throw new ModbusFrameError('RTU frame with a wrong CRC', frame);
  return { unitId: frame[0] ?? 0, pdu: Buffer.from(frame.subarray(1, frame.length - 2)) };
}

/**
 * Collects RTU-over-TCP request bytes and yields whole frames. A frame with a bad CRC is dropped and
 * reported (as a gateway drops it on the line); an unknown function code throws, since the stream
 * cannot be split after it.
 */
export class RtuRequestSplitter {
  private buffer: Buffer = Buffer.alloc(0);

  /** Adds received bytes; returns complete frames and the CRC errors of frames dropped on the way. */
  push(chunk: Uint8Array): { frames: RtuFrame[]; dropped: ModbusFrameError[] } {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const frames: RtuFrame[] = [];
    const dropped: ModbusFrameError[] = [];
    for (;;) {
      const length = rtuRequestLength(this.buffer);
      if (length === undefined || this.buffer.length < length) break;
      const raw = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      try {
        frames.push(decodeRtu(raw));
      } catch (err) {
        if (!(err instanceof ModbusFrameError)) throw err;
        dropped.push(err);
      }
    }
    return { frames, dropped };
  }
}
