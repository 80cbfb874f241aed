/**
 * Draws the app's icon.png (128 × 128) and logo.png (250 × 100) for the Home Assistant app store, with no
 * image library: shapes as distance functions, 4 × 4 supersampling for smooth edges, a tiny PNG encoder
 * on node's zlib. Run `npm run build && node dist/scripts/icons.js` after changing the drawing.
 * The picture: a signal pulse over a bus bar with three devices hanging from it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

type RGBA = [number, number, number, number];
type Paint = (x: number, y: number) => RGBA | undefined;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An 8-bit RGBA PNG. */
function png(width: number, height: number, pixels: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc(height * (1 + 4 * width));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * 4 * width, (y + 1) * 4 * width), y * (1 + 4 * width) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Renders layers (painted in order, later on top) with 4 × 4 samples per pixel. */
function render(width: number, height: number, layers: Paint[]): Buffer {
  const pixels = new Uint8Array(width * height * 4);
  const N = 4;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < N; sy++) {
        for (let sx = 0; sx < N; sx++) {
          let c: RGBA = [0, 0, 0, 0];
          for (const layer of layers) {
            const top = layer(px + (sx + 0.5) / N, py + (sy + 0.5) / N);
            if (top) c = over(top, c);
          }
          for (let i = 0; i < 3; i++) sum[i] = (sum[i] ?? 0) + (c[i] ?? 0) * c[3];
          sum[3] = (sum[3] ?? 0) + c[3];
        }
      }
      const a = (sum[3] ?? 0) / (N * N);
      const o = (py * width + px) * 4;
      for (let i = 0; i < 3; i++) pixels[o + i] = a > 0 ? Math.round((sum[i] ?? 0) / (sum[3] ?? 1)) : 0;
      pixels[o + 3] = Math.round(a * 255);
    }
  }
  return png(width, height, pixels);
}

function over(top: RGBA, under: RGBA): RGBA {
  const a = top[3] + under[3] * (1 - top[3]);
  if (a === 0) return [0, 0, 0, 0];
  const mix = (i: 0 | 1 | 2) => (top[i] * top[3] + under[i] * under[3] * (1 - top[3])) / a;
  return [mix(0), mix(1), mix(2), a];
}

const hex = (h: string, alpha = 1): RGBA =>
  [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), alpha];

function roundRect(x0: number, y0: number, x1: number, y1: number, r: number, color: (x: number, y: number) => RGBA): Paint {
  return (x, y) => {
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
    return dx * dx + dy * dy <= r * r && x >= x0 && x <= x1 && y >= y0 && y <= y1 ? color(x, y) : undefined;
  };
}

/** A polyline of the given width with round joins. */
function stroke(points: Array<[number, number]>, width: number, color: RGBA): Paint {
  const r2 = (width / 2) ** 2;
  return (x, y) => {
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1] ?? [0, 0];
      const [bx, by] = points[i] ?? [0, 0];
      const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
      if ((x - ax - t * (bx - ax)) ** 2 + (y - ay - t * (by - ay)) ** 2 <= r2) return color;
    }
    return undefined;
  };
}

/** The icon's drawing in a 128-unit square, placed at (ox, oy) with the given scale. */
function iconLayers(ox: number, oy: number, scale: number): Paint[] {
  const at = (p: Paint): Paint => (x, y) => p((x - ox) / scale, (y - oy) / scale);
  const white: RGBA = [255, 255, 255, 1];
  const top = hex('#1e88e5');
  const bottom = hex('#0d47a1');
  const gradient = (_x: number, y: number): RGBA => {
    const t = Math.max(0, Math.min(1, y / 128));
    return [top[0] + (bottom[0] - top[0]) * t, top[1] + (bottom[1] - top[1]) * t, top[2] + (bottom[2] - top[2]) * t, 1];
  };
  const device = (cx: number): Paint[] => [
    stroke([[cx, 82], [cx, 94]], 5, white),
    roundRect(cx - 11, 92, cx + 11, 110, 4, () => white),
    roundRect(cx - 6, 98, cx + 6, 101, 1, () => hex('#1565c0')),
  ];
  return [
    roundRect(0, 0, 128, 128, 26, gradient),
    stroke([[18, 50], [38, 50], [47, 26], [58, 70], [69, 34], [78, 50], [110, 50]], 7, white),
    stroke([[18, 82], [110, 82]], 6, white),
    ...device(34), ...device(64), ...device(94),
  ].map(at);
}

const GLYPHS: Record<string, string> = {
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#', O: '.###. #...# #...# #...# #...# #...# .###.',
  o: '..... ..... .###. #...# #...# #...# .###.', d: '....# ....# .#### #...# #...# #...# .####',
  b: '#.... #.... ####. #...# #...# #...# ####.', u: '..... ..... #...# #...# #...# #..## .##.#',
  s: '..... ..... .#### #.... .###. ....# ####.', p: '..... ..... ####. #...# ####. #.... #....',
  t: '.#... .#... ####. .#... .#... .#..# ..##.', i: '..#.. ..... .##.. ..#.. ..#.. ..#.. .###.',
  m: '..... ..... ##.#. #.#.# #.#.# #...# #...#', z: '..... ..... ##### ...#. ..#.. .#... #####',
  e: '..... ..... .###. #...# ##### #.... .###.', r: '..... ..... #.##. ##..# #.... #.... #....',
};

/** Text in a 5 × 7 pixel font, each font pixel `size` units square. */
function text(words: string, x0: number, y0: number, size: number, color: RGBA): Paint {
  return (x, y) => {
    const col = Math.floor((x - x0) / size);
    const row = Math.floor((y - y0) / size);
    if (row < 0 || row > 6 || col < 0) return undefined;
    const glyph = GLYPHS[words[Math.floor(col / 6)] ?? ''];
    const rows = glyph?.split(' ');
    return rows?.[row]?.[col % 6] === '#' ? color : undefined;
  };
}

const ink = hex('#263238');
writeFileSync(path.join(root, 'icon.png'), render(128, 128, iconLayers(0, 0, 1)));
writeFileSync(path.join(root, 'logo.png'), render(250, 100, [
  ...iconLayers(6, 6, 88 / 128),
  text('Modbus', 108, 22, 3, ink),
  text('Optimizer', 108, 56, 2.5, ink),
]));
process.stdout.write('Wrote icon.png and logo.png\n');
