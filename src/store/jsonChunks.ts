/**
 * JSON text in pieces, with the event loop let through between them. At 10,000 entities the state is
 * about 25 MB of JSON; one synchronous JSON.stringify of it holds the loop (polls, sockets, commands)
 * for a few hundred milliseconds. Here the outer levels of the value and every large container are
 * walked by hand and each small subtree goes through JSON.stringify, so after every ~`chunkChars`
 * characters the walk awaits `pause` (the next turn of the loop). The text joined is exactly what
 * JSON.stringify(value) gives (toJSON, undefined and function members, NaN → null included).
 */

export interface ChunkOptions {
  /** Characters per piece before pausing (default 256 KiB). */
  chunkChars?: number;
  /** Lets the event loop run (default: none, the pieces are made in one go). */
  pause?: () => Promise<void>;
  /** Containers this shallow are always walked by hand (default 3: data → section → item). */
  walkDepth?: number;
  /** Containers with more members than this are walked by hand at any depth (default 256). */
  walkMembers?: number;
}

/** What JSON.stringify gives for one member value: text, or undefined for a member that is left out. */
type Piece = string | undefined;

class ChunkWriter {
  readonly chunks: string[] = [];
  private current: string[] = [];
  private size = 0;

  constructor(private readonly limit: number, private readonly pause: (() => Promise<void>) | undefined) {}

  push(text: string): void {
    this.current.push(text);
    this.size += text.length;
  }

  /** Closes the piece when it is full and lets the loop run. */
  async maybeCut(): Promise<void> {
    if (this.size < this.limit) return;
    this.cut();
    await this.pause?.();
  }

  cut(): void {
    if (this.current.length === 0) return;
    this.chunks.push(this.current.join(''));
    this.current = [];
    this.size = 0;
  }
}

/** The value JSON.stringify serialises in place of `v` (its toJSON result, if it has one). */
function resolved(v: unknown, key: string): unknown {
  if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return (v as { toJSON(key: string): unknown }).toJSON(key);
  }
  return v;
}

/** JSON.stringify(value) as pieces; rejects only as JSON.stringify would throw (cycles, BigInt). */
export async function jsonChunks(value: unknown, options: ChunkOptions = {}): Promise<string[]> {
  const out = new ChunkWriter(options.chunkChars ?? 256 * 1024, options.pause);
  const walkDepth = options.walkDepth ?? 3;
  const walkMembers = options.walkMembers ?? 256;

  /** Emits an already resolved value (toJSON applied); false when JSON leaves it out. */
  const emit = async (v: unknown, depth: number): Promise<boolean> => {
    if (typeof v !== 'object' || v === null) {
      const text: Piece = JSON.stringify(v);
      if (text === undefined) return false;
      out.push(text);
      return true;
    }
    const members = Array.isArray(v) ? v.length : Object.keys(v).length;
    if (depth >= walkDepth && members <= walkMembers) {
      out.push(JSON.stringify(v));
      await out.maybeCut();
      return true;
    }
    if (Array.isArray(v)) await emitArray(v, depth);
    else await emitObject(v as Record<string, unknown>, depth);
    return true;
  };

  const emitArray = async (list: unknown[], depth: number): Promise<void> => {
    out.push('[');
    for (let i = 0; i < list.length; i++) {
      if (i > 0) out.push(',');
      if (!(await emit(resolved(list[i], String(i)), depth + 1))) out.push('null');
    }
    out.push(']');
  };

  const emitObject = async (obj: Record<string, unknown>, depth: number): Promise<void> => {
    out.push('{');
    let first = true;
    for (const key of Object.keys(obj)) {
      const v = resolved(obj[key], key);
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out.push(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      await emit(v, depth + 1);
    }
    out.push('}');
  };

  if (!(await emit(resolved(value, ''), 0))) return [];
  out.cut();
  return out.chunks;
}
