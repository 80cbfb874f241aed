/**
 * Modbus TCP framing (the MBAP header): transaction id, protocol id 0, length, unit id, then the PDU.
 * A TCP stream carries frames in arbitrary chunks, so the splitter collects bytes and hands out whole
 * frames; a header that cannot be Modbus (protocol id ≠ 0, length outside 2…254) is an error, since
 * after it the stream cannot be re-synchronised and the peer must be disconnected.
 */
import { ModbusFrameError } from './frameError.js';

/** Longest PDU the protocol allows (253 bytes) plus the unit id byte the MBAP length counts. */
const MAX_LENGTH = 254;
const HEADER = 7;

export interface MbapFrame {
  transactionId: number;
  unitId: number;
  pdu: Buffer;
}

/** One MBAP frame around `pdu`, answering (or sending) transaction `transactionId`. */
export function encodeMbap(transactionId: number, unitId: number, pdu: Uint8Array): Buffer {
  const frame = Buffer.alloc(HEADER + pdu.length);
  frame.writeUInt16BE(transactionId & 0xffff, 0);
  frame.writeUInt16BE(0, 2);
  frame.writeUInt16BE(pdu.length + 1, 4);
  frame.writeUInt8(unitId & 0xff, 6);
  frame.set(pdu, HEADER);
  return frame;
}

/** Collects a TCP stream's bytes and yields whole MBAP frames. */
export class MbapSplitter {
  private buffer: Buffer = Buffer.alloc(0);

  /** Adds received bytes; returns the frames now complete. Throws ModbusFrameError on a bad header. */
  push(chunk: Uint8Array): MbapFrame[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const frames: MbapFrame[] = [];
    while (this.buffer.length >= HEADER) {
      const protocolId = this.buffer.readUInt16BE(2);
      const length = this.buffer.readUInt16BE(4);
      if (protocolId !== 0) throw new ModbusFrameError(`MBAP protocol id ${protocolId}, expected 0`, this.buffer);
      if (length < 2 || length > MAX_LENGTH) throw new ModbusFrameError(`MBAP length ${length}, expected 2…${MAX_LENGTH}`, this.buffer);
      const total = 6 + length;
      if (this.buffer.length < total) break;
      frames.push({
        transactionId: this.buffer.readUInt16BE(0),
        unitId: this.buffer.readUInt8(6),
        pdu: Buffer.from(this.buffer.subarray(HEADER, total)),
      });
      this.buffer = this.buffer.subarray(total);
    }
    return frames;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pending(): number {
    return this.buffer.length;
  }
}
