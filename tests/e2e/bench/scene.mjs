// What the kiosk's camera sees when a child holds a badge up: a 1280x720 grey classroom with the
// printed badge in it at a given distance, as a PNG for the simulated camera
// (BADGEIN_CAMERA=still:<file>). The bench times "badge shown -> greeting" on these, so finding
// a small badge in a 720p frame is part of the number, not only decoding a frame-filling one.

import { PNG } from 'pngjs';

export const WIDTH = 1280;
export const HEIGHT = 720;
/** Side of the printed QR code, quiet zone included (the badge PNG's whole square). */
export const BADGE_CM = 5.4;
/** Horizontal field of view of a typical classroom webcam. */
export const HFOV_DEG = 60;
/** Paper is never 255 nor ink 0 once lit and seen by a webcam. */
const PAPER = 232;
const INK = 28;
/** The white card around the code, in code widths: the sides and top, and below it the name. */
const CARD_MARGIN = 0.15;
const CARD_NAME_AREA = 0.55;
/** The scene's own sensor noise (grey levels, frozen in the one PNG): a lit room's. */
const NOISE = 2;

/**
 * The badge's side in pixels `cm` from the camera, by the pinhole model: the focal length in
 * pixels is f = WIDTH / (2 tan(HFOV/2)), and an object of BADGE_CM at `cm` is f * BADGE_CM / cm
 * pixels wide, so size_px = WIDTH * BADGE_CM / (2 * cm * tan(HFOV / 2)): 299 px at 20 cm,
 * 150 px at 40 cm and 100 px at 60 cm (a 41-module code: 7.3, 3.7 and 2.4 px a module).
 */
export function badgePx(cm) {
  return (WIDTH * BADGE_CM) / (2 * cm * Math.tan(((HFOV_DEG / 2) * Math.PI) / 180));
}

/** A small seeded generator (mulberry32): the same scene every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The badge PNG's luma (0..255) as {width, height, luma}. */
function decodeBadge(png) {
  const { width, height, data } = PNG.sync.read(png);
  const luma = new Uint8Array(width * height);
  for (let i = 0; i < luma.length; i++) {
    const [r, g, b, a] = data.subarray(i * 4, i * 4 + 4);
    // Transparent counts as paper.
    luma[i] = Math.round(((0.299 * r + 0.587 * g + 0.114 * b) * a + 255 * (255 - a)) / 255);
  }
  return { width, height, luma };
}

/**
 * A wall lit from one side with posters and a desk edge: edges and dark patches, as behind a
 * real child. Deterministic.
 */
function classroom() {
  const next = random(20261205);
  const scene = new Float32Array(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) scene[y * WIDTH + x] = 150 - (60 * x) / WIDTH - (y > 560 ? 40 : 0);
  }
  for (let i = 0; i < 9; i++) {
    const [w, h] = [60 + next() * 200, 60 + next() * 160];
    const [x0, y0] = [next() * (WIDTH - w), next() * 480];
    const level = 30 + next() * 190;
    for (let y = Math.floor(y0); y < y0 + h; y++) {
      for (let x = Math.floor(x0); x < x0 + w; x++) scene[y * WIDTH + x] = level;
    }
  }
  return scene;
}

let wall;

/**
 * The classroom with `badgePng` (the portal's badge image) held up `cm` from the camera, its
 * centre at `centre` (fractions of the frame), as a grey PNG. The code is resampled by
 * averaging 4x4 points per frame pixel (a sensor pixel integrates its area).
 */
export function sceneWithBadge(badgePng, cm, centre = [0.5, 0.45]) {
  wall ??= classroom();
  const badge = decodeBadge(badgePng);
  const side = badgePx(cm);
  const scale = badge.width / side;
  const [cx, cy] = [centre[0] * WIDTH, centre[1] * HEIGHT];
  const [left, top] = [cx - side / 2, cy - side / 2];
  const card = {
    x0: left - CARD_MARGIN * side,
    x1: left + (1 + CARD_MARGIN) * side,
    y0: top - CARD_MARGIN * side,
    y1: top + (1 + CARD_NAME_AREA) * side,
  };
  const paper = (v) => INK + ((PAPER - INK) * v) / 255;
  const next = random(Math.round(cm * 1000));
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const out = Buffer.alloc(WIDTH * HEIGHT);
  const S = 4;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      let v = wall[y * WIDTH + x];
      if (x + 1 > card.x0 && x < card.x1 && y + 1 > card.y0 && y < card.y1) {
        let sum = 0;
        for (let j = 0; j < S; j++) {
          for (let i = 0; i < S; i++) {
            const [px, py] = [x + (i + 0.5) / S, y + (j + 0.5) / S];
            const inCard = px >= card.x0 && px < card.x1 && py >= card.y0 && py < card.y1;
            const [bx, by] = [Math.floor((px - left) * scale), Math.floor((py - top) * scale)];
            const inCode = bx >= 0 && by >= 0 && bx < badge.width && by < badge.height;
            sum += inCode ? paper(badge.luma[by * badge.width + bx]) : inCard ? PAPER : wall[y * WIDTH + x];
          }
        }
        v = sum / (S * S);
      }
      out[y * WIDTH + x] = Math.max(0, Math.min(255, Math.round(v + NOISE * gauss())));
    }
  }
  return PNG.sync.write(
    { width: WIDTH, height: HEIGHT, data: out },
    { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 },
  );
}
