/**
 * The error a Modbus server's framing raises for bytes that cannot be a Modbus frame (wrong protocol
 * id, impossible length, bad CRC, unknown function on a line without length headers). It names what
 * was wrong, so a proxy can log which peer sent garbage before it drops the connection or the frame.
 */
export class ModbusFrameError extends Error {
  constructor(message: string, readonly bytes: Uint8Array) {
    super(`${message} (${hexOf(bytes)})`);
    this.name = 'ModbusFrameError';
  }
}

/** The first bytes of a frame in hex, for error messages (at most 16 bytes, then an ellipsis). */
export function hexOf(bytes: Uint8Array, max = 16): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} …` : shown;
}
