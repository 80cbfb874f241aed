// Child process for test/e2e/killWrites.process.test.ts: acknowledged state writes as fast as it can
// through the built store (dist/), printing "ack <n>" only after the write of sequence n resolved.
// The parent kill -9s it at random moments and checks the file after each kill.
import { createSystemClock } from '../../dist/src/core/clock.js';
import { createMemoryLogger } from '../../dist/src/core/logger.js';
import { JsonStore } from '../../dist/src/store/jsonStore.js';

const file = process.argv[2];
const schema = { version: 1, empty: () => ({ seq: 0, acked: [] }), migrate: () => { throw new Error('no migration'); } };
const store = new JsonStore({ file, clock: createSystemClock(), logger: createMemoryLogger(), schema });
const data = await store.load();
// about 300 kB of JSON, so a write takes long enough to be caught half-way
const padding = Array.from({ length: 3000 }, (_, i) => ({ id: `entity_${i}`, rate: i / 7, seen: [i, i + 1, i + 2] }));
for (let seq = data.seq + 1; ; seq++) {
  await store.update((d) => {
    d.seq = seq;
    d.acked = [...d.acked.slice(-99), seq]; // the last hundred acknowledged sequences
    d.padding = padding.map((p) => ({ ...p, seq }));
  }, { flush: true });
  process.stdout.write(`ack ${seq}\n`);
}
