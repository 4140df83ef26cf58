/**
 * Draws kbgate's 512x512 logo (a gate arch over stacked pages, on a teal-to-indigo tile) and writes it as a PNG.
 *
 * Usage: npx tsx scripts/make-logo.ts [out-file]   (default: plugin/logo.png in the repository)
 *
 * Shapes are signed distance fields sampled once per pixel with a one-pixel linear edge, so edges are smooth
 * without supersampling; the PNG is RGBA, 8 bits per channel, one zlib-compressed IDAT chunk.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
type Rgb = [number, number, number];

const TEAL: Rgb = [13, 148, 136];
const INDIGO: Rgb = [49, 46, 129];
const WHITE: Rgb = [255, 255, 255];
const AMBER: Rgb = [251, 191, 36];

/** Signed distance to a rounded box centred at (cx, cy) with half sizes (hw, hh) and corner radius r. */
function roundedBox(x: number, y: number, cx: number, cy: number, hw: number, hh: number, r: number): number {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Signed distance to an arch: a box whose top is a half disc, standing on y = bottom. */
function arch(x: number, y: number, cx: number, top: number, bottom: number, halfWidth: number): number {
  const centreY = top + halfWidth;
  const disc = Math.hypot(x - cx, y - centreY) - halfWidth;
  const body = Math.max(Math.abs(x - cx) - halfWidth, centreY - y, y - bottom);
  return Math.max(Math.min(disc, body), y - bottom);
}

/** Coverage of a shape from its signed distance: 1 inside, 0 outside, linear across one pixel. */
function coverage(distance: number): number {
  return Math.min(1, Math.max(0, 0.5 - distance));
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** The colour and opacity of one pixel, centre at (x + 0.5, y + 0.5). */
function shade(px: number, py: number): [number, number, number, number] {
  const x = px + 0.5;
  const y = py + 0.5;
  const tile = coverage(roundedBox(x, y, 256, 256, 248, 248, 104));
  let colour = mix(TEAL, INDIGO, (x + y) / (2 * SIZE));
  const gate = Math.max(arch(x, y, 256, 92, 420, 150), -arch(x, y, 256, 152, 421, 92));
  colour = mix(colour, WHITE, coverage(gate));
  for (const [i, width] of [118, 96, 118].entries()) {
    const page = roundedBox(x, y, 256, 262 + i * 48, width / 2 + 8, 11, 11);
    colour = mix(colour, i === 1 ? AMBER : WHITE, coverage(page));
  }
  return [colour[0], colour[1], colour[2], tile * 255];
}

function rgbaRows(): Buffer {
  const stride = SIZE * 4 + 1;
  const raw = Buffer.alloc(stride * SIZE);
  for (let y = 0; y < SIZE; y++) {
    raw[y * stride] = 0; // filter type None
    for (let x = 0; x < SIZE; x++) {
      const pixel = shade(x, y).map((c) => Math.round(c));
      raw.set(pixel, y * stride + 1 + x * 4);
    }
  }
  return raw;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes the logo as PNG bytes. */
function encodeLogo(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit depth, RGBA, deflate, adaptive filters, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rgbaRows(), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? resolve(repoRoot, 'plugin', 'logo.png'));
const png = encodeLogo();
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes, ${SIZE}x${SIZE} RGBA)`);
