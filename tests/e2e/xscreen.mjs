// A PNG of the whole X screen, for what WebDriver cannot see (the portal view is a separate
// window outside the automation session). scripts/test-e2e starts Xvfb with `-fbdir`, which
// keeps the framebuffer in an XWD file; this converts it with no external tool.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes RGB rows as a PNG. */
function png(width, height, rgb) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    rgb.copy(raw, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The X screen as `{width, height, rgb}`, or null when Xvfb keeps no framebuffer file. */
export function screenRgb(fbdir = process.env.BADGEIN_E2E_FBDIR) {
  if (!fbdir) return null;
  const xwd = readFileSync(join(fbdir, 'Xvfb_screen0'));
  const field = (i) => xwd.readUInt32BE(i * 4);
  const [headerSize, width, height] = [field(0), field(4), field(5)];
  const [bitsPerPixel, bytesPerLine, ncolors] = [field(11), field(12), field(19)];
  if (bitsPerPixel !== 32) throw new Error(`XWD with ${bitsPerPixel} bits per pixel`);
  const lsbFirst = field(7) === 0;
  const start = headerSize + ncolors * 12;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = start + y * bytesPerLine + x * 4;
      const o = (y * width + x) * 3;
      // 24-bit TrueColor: 0x00RRGGBB in the server's byte order.
      const value = lsbFirst ? xwd.readUInt32LE(p) : xwd.readUInt32BE(p);
      rgb[o] = (value >>> 16) & 0xff;
      rgb[o + 1] = (value >>> 8) & 0xff;
      rgb[o + 2] = value & 0xff;
    }
  }
  return { width, height, rgb };
}

/** The X screen as a PNG, or null when Xvfb keeps no framebuffer file. */
export function screenPng(fbdir = process.env.BADGEIN_E2E_FBDIR) {
  const screen = screenRgb(fbdir);
  return screen && png(screen.width, screen.height, screen.rgb);
}
