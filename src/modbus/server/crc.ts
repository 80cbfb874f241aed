/**
 * The CRC-16 every Modbus RTU frame ends with (polynomial 0xA001 reflected, initial 0xFFFF, sent low
 * byte first). Table-driven: a server or gateway checks one per frame, and a proxy at full speed
 * checks thousands a second.
 */

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    table[n] = crc;
  }
  return table;
})();

/** Modbus CRC-16 of `bytes`. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) crc = (crc >>> 8) ^ (TABLE[(crc ^ b) & 0xff] ?? 0);
  return crc;
}

/** `body` followed by its CRC (low byte first). */
export function withCrc(body: Uint8Array): Buffer {
  const frame = Buffer.alloc(body.length + 2);
  frame.set(body, 0);
  frame.writeUInt16LE(crc16(body), body.length);
  return frame;
}

/** True when the last two bytes of `frame` are the CRC of the rest. */
export function crcMatches(frame: Uint8Array): boolean {
  if (frame.length < 3) return false;
  const body = frame.subarray(0, frame.length - 2);
  const sent = (frame[frame.length - 2] ?? 0) | ((frame[frame.length - 1] ?? 0) << 8);
  return crc16(body) === sent;
}
