// Draws the app icons (three bars of different heights: three methods, measured side by side) and
// writes public/icons/*.png (192, 512, maskable 512, apple-touch 180) plus icon.svg, with zlib only.
// Run `node tools/make-icons.mjs` after changing the design; the outputs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const OUT = new URL('../public/icons/', import.meta.url);
const BG = [0x0b, 0x5c, 0xad]; // theme_color
const FG = [0xff, 0xff, 0xff];
const DOT = [0xff, 0xc2, 0x66];

// Geometry in a 0..1 square. `inset` shrinks the art into the maskable safe zone (a centred circle of
// radius 0.4); `corner` is the background's corner radius (0 = full bleed, as masks and iOS expect).
function shapes(inset) {
  const s = (v) => 0.5 + (v - 0.5) * inset;
  const bar = (x, top) => ({ kind: 'rect', x0: s(x), y0: s(top), x1: s(x + 0.14), y1: s(0.74), r: 0.03 * inset, color: FG });
  return [
    bar(0.22, 0.46),
    bar(0.43, 0.34),
    bar(0.64, 0.24),
    { kind: 'rect', x0: s(0.18), y0: s(0.77), x1: s(0.82), y1: s(0.81), r: 0.02 * inset, color: FG },
    { kind: 'circle', cx: s(0.71), cy: s(0.16), rad: 0.05 * inset, color: DOT },
  ];
}

function inside(sh, x, y) {
  if (sh.kind === 'circle') return (x - sh.cx) ** 2 + (y - sh.cy) ** 2 <= sh.rad ** 2;
  // Rounded rectangle: distance from the inner rectangle shrunk by r.
  const dx = Math.max(sh.x0 + sh.r - x, 0, x - (sh.x1 - sh.r));
  const dy = Math.max(sh.y0 + sh.r - y, 0, y - (sh.y1 - sh.r));
  return dx * dx + dy * dy <= sh.r * sh.r;
}

/** RGBA pixels of one icon, 4×4 supersampled for smooth edges. */
function draw(size, { inset, corner }) {
  const art = shapes(inset);
  const bg = { kind: 'rect', x0: 0, y0: 0, x1: 1, y1: 1, r: corner, color: BG };
  const px = new Uint8Array(size * size * 4);
  const N = 4;
  for (let py = 0; py < size; py++) {
    for (let qx = 0; qx < size; qx++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < N; sy++) {
        for (let sx = 0; sx < N; sx++) {
          const x = (qx + (sx + 0.5) / N) / size;
          const y = (py + (sy + 0.5) / N) / size;
          if (!inside(bg, x, y)) continue;
          let c = BG;
          for (const sh of art) if (inside(sh, x, y)) c = sh.color;
          r += c[0]; g += c[1]; b += c[2]; a += 255;
        }
      }
      const n = N * N;
      const i = (py * size + qx) * 4;
      // Average colour over covered samples (no dark fringe), alpha by coverage.
      const cov = a / 255;
      px[i] = cov ? Math.round(r / cov) : 0;
      px[i + 1] = cov ? Math.round(g / cov) : 0;
      px[i + 2] = cov ? Math.round(b / cov) : 0;
      px[i + 3] = Math.round(a / n);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG (8-bit RGBA, filter 0 on every row). */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function svg() {
  const hex = (c) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const u = (v) => +(v * 64).toFixed(2);
  const parts = shapes(1).map((sh) =>
    sh.kind === 'circle'
      ? `<circle cx="${u(sh.cx)}" cy="${u(sh.cy)}" r="${u(sh.rad)}" fill="${hex(sh.color)}"/>`
      : `<rect x="${u(sh.x0)}" y="${u(sh.y0)}" width="${u(sh.x1 - sh.x0)}" height="${u(sh.y1 - sh.y0)}" rx="${u(sh.r)}" fill="${hex(sh.color)}"/>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="${u(0.18)}" fill="${hex(BG)}"/>${parts.join('')}</svg>\n`;
}

const ICONS = [
  { file: 'icon-192.png', size: 192, inset: 1, corner: 0.18 },
  { file: 'icon-512.png', size: 512, inset: 1, corner: 0.18 },
  // Maskable: full-bleed background, art inside the safe zone (the platform applies its own mask).
  { file: 'maskable-512.png', size: 512, inset: 0.72, corner: 0 },
  // iOS rounds the corners itself and shows transparency as black: full bleed.
  { file: 'apple-touch-icon-180.png', size: 180, inset: 0.9, corner: 0 },
  { file: 'favicon-32.png', size: 32, inset: 1, corner: 0.18 },
];

mkdirSync(OUT, { recursive: true });
for (const icon of ICONS) {
  const png = encodePng(icon.size, draw(icon.size, icon));
  writeFileSync(new URL(icon.file, OUT), png);
  console.log(`public/icons/${icon.file}\t${icon.size}×${icon.size}\t${png.length} B`);
}
writeFileSync(new URL('icon.svg', OUT), svg());
console.log('public/icons/icon.svg');
