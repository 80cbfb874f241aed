// A device that answers with garbage (issue 16, item 6): over real TCP, every reply of a fake gateway is
// malformed in a different way — wrong MBAP length, protocol id or transaction id, wrong unit, wrong
// function code, a byte count that does not match, truncated frames, every exception code 1–11, random
// bytes. modbus-serial parses it inside the real app: no crash, no value from a bad frame, each failure
// counted; once the device answers properly again, the values come through.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { createApp, type App } from '../../src/app.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { createSystemClock } from '../../src/core/clock.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';

const GOOD = [1234, 5678];
/** What the malformed replies carry: a value read from one of them would show as this. */
const BAD = [9999, 9999];

/** An fc 3 reply for `req` carrying BAD, corrupted by `kind`. */
function reply(req: Buffer, kind: number, random: () => number): Buffer {
  const tid = req.readUInt16BE(0);
  const unit = req[6] ?? 1;
  const fn = req[7] ?? 3;
  const count = req.readUInt16BE(10);
  const data = Buffer.alloc(2 * count);
  for (let i = 0; i < count; i++) data.writeUInt16BE(BAD[i % BAD.length] ?? 0, 2 * i);
  const pdu = Buffer.concat([Buffer.from([fn, data.length]), data]);
  const frame = (t: number, proto: number, len: number, u: number, body: Buffer) => {
    const head = Buffer.alloc(7);
    head.writeUInt16BE(t, 0); head.writeUInt16BE(proto, 2); head.writeUInt16BE(len, 4); head[6] = u;
    return Buffer.concat([head, body]);
  };
  switch (kind % 10) {
    case 0: return frame(tid, 0, pdu.length + 1 + 5, unit, pdu); // MBAP length too long: waits for bytes that never come
    case 1: return frame(tid, 7, pdu.length + 1, unit, pdu); // protocol id not 0
    case 2: return frame((tid + 1) & 0xffff, 0, pdu.length + 1, unit, pdu); // someone else's transaction
    case 3: return frame(tid, 0, pdu.length + 1, (unit + 1) & 0xff, pdu); // wrong unit
    case 4: return frame(tid, 0, pdu.length + 1, unit, Buffer.concat([Buffer.from([4]), pdu.subarray(1)])); // wrong function code
    case 5: return frame(tid, 0, pdu.length + 1, unit, Buffer.concat([Buffer.from([fn, data.length + 2]), data])); // byte count lies
    case 6: return frame(tid, 0, pdu.length + 1, unit, pdu).subarray(0, 9); // truncated
    case 7: return frame(tid, 0, 3, unit, Buffer.from([fn | 0x80, 1 + Math.floor(random() * 11)])); // exception 1..11
    case 8: return Buffer.from(Array.from({ length: 1 + Math.floor(random() * 20) }, () => Math.floor(random() * 256))); // noise
    default: return frame(tid, 0, 2, unit, Buffer.from([fn])); // a PDU with no data
  }
}

let server: net.Server;
let app: App;
let healthy = false;
let served = 0;
const logger = createMemoryLogger();

beforeAll(async () => {
  const random = seededRandom(3);
  server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 12) {
        const req = buf.subarray(0, 12);
        buf = buf.subarray(12);
        served++;
        socket.write(healthy ? goodReply(req) : reply(req, served, random));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const resolved = resolveOptions({
    connections: [{ name: 'bad', host: '127.0.0.1', port, timeout_ms: 300 }],
    entities: [{ id: 'a', name: 'A', connection: 'bad', address: 0, data_type: 'uint32', scan_interval: 0.2, min_interval: 0.2 }],
  });
  app = createApp({ clock: createSystemClock(), random: Math.random, logger, connections: resolved.connections, entities: resolved.entities, statusEveryMs: 0 });
  await app.start();
});
afterAll(async () => {
  await app.stop();
  await new Promise((r) => server.close(r));
});

function goodReply(req: Buffer): Buffer {
  const count = req.readUInt16BE(10);
  const out = Buffer.alloc(9 + 2 * count);
  req.copy(out, 0, 0, 4);
  out.writeUInt16BE(3 + 2 * count, 4);
  out[6] = req[6] ?? 1; out[7] = 3; out[8] = 2 * count;
  for (let i = 0; i < count; i++) out.writeUInt16BE(GOOD[i % GOOD.length] ?? 0, 9 + 2 * i);
  return out;
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (!check() && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
}

describe('malformed replies', () => {
  it('none becomes a value, none crashes the app; good replies afterwards come through', async () => {
    const values: unknown[] = [];
    app.events.on('test', 'sample', (s) => values.push(s.value));
    await waitFor(() => served >= 14, 50_000); // every kind of bad reply at least once (timeouts back the unit off)
    expect(served).toBeGreaterThanOrEqual(14);
    const status = app.poller.entityStatus('a');
    expect(status?.errors).toBeGreaterThanOrEqual(10);
    // a well-formed frame of someone else's unit or transaction must not be taken as ours
    expect(values.filter((v) => v !== 1234 * 65536 + 5678)).toEqual([]);
    healthy = true;
    await waitFor(() => values.includes(1234 * 65536 + 5678), 20_000);
    expect(app.poller.entityStatus('a')?.lastValue).toBe(1234 * 65536 + 5678);
  }, 60_000);
});
