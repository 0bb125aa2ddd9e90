// A fleet kiosk, the real app: IT's managed configuration (BADGEIN_MANAGED_CONFIG names the
// TOML file /etc/badgein/kiosk.toml would be) gives the portal and an enrollment token; the
// kiosk enrolls by itself, scans, never logs the token, and its setup screen shows IT's
// settings locked. A plain enrollment code stands in for a fleet token. Run by scripts/test-e2e.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { commands, launch, screenshot, startPortal, waitForScreen } from './harness.mjs';

describe('a kiosk deployed with a managed configuration', { timeout: 180_000 }, () => {
  let kiosk;
  let portal;
  let dir;
  let code;

  before(async () => {
    portal = await startPortal();
    code = portal.enrollmentCode();
    dir = mkdtempSync(join(tmpdir(), 'badgein-e2e-managed-'));
    const file = join(dir, 'kiosk.toml');
    writeFileSync(
      file,
      [
        `portal_url = "${portal.url}"`,
        `enrollment_token = "${code}"`,
        'kiosk_name = "Lab 3 kiosk 07"',
        'idle_timeout_secs = 600',
        'language = "es"',
        'sounds = false',
      ].join('\n'),
    );
    // No BADGEIN_ENROLL_CODE: the managed configuration alone enrolls it.
    kiosk = await launch('managed', { BADGEIN_MANAGED_CONFIG: file });
  });

  after(async () => {
    await kiosk?.close();
    portal?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const invoke = (command, args) => commands(kiosk.session).invoke(command, args);

  test('enrolls unattended, scans in the managed language, and never logs the token', async () => {
    await waitForScreen(kiosk.session, 'scanning', 60_000);
    const { value: view } = await invoke('get_view');
    assert.equal(view.language, 'es');
    const log = kiosk.appLog();
    assert.match(log, /enrolling unattended/);
    assert.match(log, /kiosk enrolled/);
    for (const secret of [code, code.replace(/-/g, '')]) {
      assert.ok(!log.includes(secret), 'the token is in the log');
    }
  });

  test("setup shows IT's settings locked, and Save keeps them", async () => {
    const { session } = kiosk;
    await invoke('open_teacher');
    await waitForScreen(session, 'choose_pin');
    await invoke('choose_pin', { pin: '246813', again: '246813' });
    await waitForScreen(session, 'setup');
    const locked = await session.waitFor(
      `const el = document.getElementById('setup-portal-url');
       if (!el || !el.disabled) return null;
       return ['setup-portal-url', 'setup-kiosk-name', 'setup-idle', 'setup-language', 'setup-sounds']
         .map((id) => {
           const c = document.getElementById(id);
           const note = document.getElementById(c.getAttribute('aria-describedby') ?? '');
           return { id, disabled: c.disabled, value: c.type === 'checkbox' ? c.checked : c.value,
                    note: note?.textContent ?? null };
         });`,
      'the locked controls',
    );
    assert.deepEqual(locked, [
      { id: 'setup-portal-url', disabled: true, value: portal.url, note: 'Lo configura el equipo de TI de tu escuela' },
      { id: 'setup-kiosk-name', disabled: true, value: 'Lab 3 kiosk 07', note: 'Lo configura el equipo de TI de tu escuela' },
      { id: 'setup-idle', disabled: true, value: '600', note: 'Lo configura el equipo de TI de tu escuela' },
      { id: 'setup-language', disabled: true, value: 'es', note: 'Lo configura el equipo de TI de tu escuela' },
      { id: 'setup-sounds', disabled: true, value: false, note: 'Lo configura el equipo de TI de tu escuela' },
    ]);
    assert.equal(
      await session.execute("return document.getElementById('setup-camera').disabled;"),
      false,
      'the camera is not managed',
    );
    await screenshot(session, 'setup-managed');

    // A window that sends other values anyway changes nothing IT set.
    const { value: before } = await invoke('get_setup');
    assert.deepEqual(before.locked, ['portal_url', 'kiosk_name', 'idle_timeout_secs', 'language', 'sounds']);
    await invoke('save_setup', {
      portal_url: 'https://elsewhere.example',
      kiosk_name: 'Mine',
      camera_index: null,
      idle_timeout_secs: 30,
      language: 'en',
      sounds: true,
    });
    // (The command answers once the change is applied and saved.)
    const { value: after } = await invoke('get_setup');
    assert.deepEqual(
      [after.portal_url, after.kiosk_name, after.idle_timeout_secs, after.language, after.sounds],
      [portal.url, 'Lab 3 kiosk 07', 600, 'es', false],
    );
    const { value: view } = await invoke('get_view');
    assert.equal(view.enrolled, true, 'still enrolled: the portal did not change');
  });
});
