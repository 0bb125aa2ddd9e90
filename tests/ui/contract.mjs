// Reads the names the UI must know straight from docs/kiosk-ipc.md, so the tests follow the
// contract instead of a copy of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

const doc = readFileSync(join(ROOT, 'docs', 'kiosk-ipc.md'), 'utf8');

function ticks(text) {
  return [...text.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
}

function between(start, end) {
  const from = doc.indexOf(start);
  const to = doc.indexOf(end, from + start.length);
  if (from < 0 || to < 0) throw new Error(`docs/kiosk-ipc.md no longer has "${start}"…"${end}"`);
  return doc.slice(from + start.length, to);
}

/** Every `Code`: the API problem codes plus the kiosk's own. */
export const CONTRACT_CODES = ticks(between('`Code` =', 'Every `Code`'));

export const CONTRACT_HINTS = [...between('`Hint` =', '\n').matchAll(/"([a-z_]+)"/g)].map(
  (m) => m[1],
);

export const CONTRACT_SCREENS = [...between('## View', '`Hint`').matchAll(/^\| `([a-z_]+)` \|/gm)].map(
  (m) => m[1],
);

export const CONTRACT_CAMERA_REASONS = [
  ...between('| `camera_trouble` |', '\n').matchAll(/"([a-z_]+)"/g),
].map((m) => m[1]);

/** Command names: the first cell of each row of the commands table. */
export const CONTRACT_COMMANDS = between('## Commands', '\nErrors')
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .flatMap((line) => ticks(line.split('|')[1]));
