// What the kiosk's log files (src-tauri/src/logging) must and must not hold, checked in the
// directory a test points BADGEIN_LOG_DIR at.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './harness.mjs';

/** The workspace's version: what the kiosk's log header says. */
export function kioskVersion() {
  const cargo = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  return cargo.match(/^\[workspace\.package\][^[]*?^version = "([^"]+)"/m)[1];
}

/**
 * The device credential the kiosk keeps in the session's Secret Service (the keyring crate's
 * `service` and `username` attributes; secret-tool is libsecret-tools).
 */
export function deviceCredential() {
  const stored = execFileSync(
    'secret-tool',
    ['lookup', 'service', 'org.badgein.kiosk', 'username', 'device-credential'],
    { encoding: 'utf8' },
  );
  return JSON.parse(stored).secret;
}

/** The id a kiosk was enrolled with, from the config under its XDG_CONFIG_HOME. */
export function kioskId(configHome) {
  const config = JSON.parse(readFileSync(join(configHome, 'badgein', 'kiosk.json'), 'utf8'));
  return config.kiosk_id;
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The log files in `dir` after `kiosk` signed in `users` (the views' users): daily files
 * named kiosk.YYYY-MM-DD.log, the first line of each the version's header, the kiosk's id in
 * them, and neither the device credential nor any part of a child's name. Returns the text.
 */
export function checkLogDir(dir, kiosk, users) {
  const files = readdirSync(dir).sort();
  assert.ok(files.length >= 1, `no log file in ${dir}`);
  for (const file of files) assert.match(file, /^kiosk\.\d{4}-\d{2}-\d{2}\.log$/);
  const texts = files.map((file) => readFileSync(join(dir, file), 'utf8'));
  const header = new RegExp(`^BadgeIn kiosk ${escape(kioskVersion())}, kiosk id `);
  for (const text of texts) assert.match(text.split('\n')[0], header);
  const text = texts.join('');
  const id = kioskId(join(kiosk.dir, 'config'));
  assert.ok(id, 'the kiosk is enrolled');
  assert.ok(text.includes(id), `the kiosk id ${id} is not in the log:\n${text.slice(0, 2000)}`);
  const secret = deviceCredential();
  assert.ok(secret.length >= 32, 'a device credential was read from the keyring');
  assert.ok(!text.includes(secret), 'the device credential is in the log');
  for (const user of users) {
    // The view's user carries the first name; a display name too where there is one.
    const full = user.display_name ?? '';
    const names = new Set([user.first_name, full, ...full.split(/\s+/)]);
    for (const name of names) {
      if (name.length < 2) continue;
      assert.doesNotMatch(text, new RegExp(`\\b${escape(name)}\\b`), `a child's name (${name}) is in the log`);
    }
  }
  return text;
}
