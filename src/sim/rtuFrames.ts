/**
 * Modbus RTU framing for the simulated RTU-over-TCP gateway: the CRC-16 every frame ends with, and
 * how long a request frame is (fixed for reads and single writes, byte-counted for multiple writes),
 * since raw RTU on a socket has no length header to split frames by.
 */

/** Modbus CRC-16 (polynomial 0xA001, initial 0xFFFF); sent low byte first. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** Length of the request frame at the start of `buffer`, or undefined until enough bytes arrived. */
export function rtuFrameLength(buffer: Buffer): number | undefined {
  if (buffer.length < 2) return undefined;
  const fn = buffer.readUInt8(1);
  if (fn === 15 || fn === 16) return buffer.length >= 7 ? 9 + buffer.readUInt8(6) : undefined;
  return 8; // unit, fn, address, count or value, CRC
}
