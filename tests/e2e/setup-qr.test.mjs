// The setup QR end to end: the real kiosk app under Xvfb reads, with its (simulated) camera,
// the PNG that `badgein-portal kiosk code --qr` wrote, enrolls with that portal on the setup
// screen, asks before switching to a second portal (and stays with the first when the second
// refuses the code), and on the scan screen takes a setup QR for a code that is not a badge
// (docs/kiosk-ipc.md, "Setup QR").
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { commands, launch, screenshot, startPortal, waitForScreen } from './harness.mjs';

describe('the setup QR', { timeout: 240_000 }, () => {
  test('a kiosk enrolls from the setup QR its camera reads, and asks before switching portals', async () => {
    const a = await startPortal();
    const b = await startPortal();
    const kiosk = await launch('setup-qr');
    const { session } = kiosk;
    const { invoke, waitForView } = commands(session, { waitMs: 30_000 });
    /** A setup QR of `portal` as `kiosk code --qr` writes it (`png`), and its code. */
    const setupQr = (portal, name) => {
      const file = join(portal.dir, name);
      const code = portal.cli([
        'kiosk', 'code', '--school', 'demo-school', '--qr', file, '--public-url', portal.url,
      ]);
      assert.match(code, /^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
      return { png: readFileSync(file), code };
    };
    try {
      // A new kiosk: the teacher chooses a PIN, and setup shows.
      await invoke('open_teacher');
      await waitForScreen(session, 'choose_pin');
      await invoke('choose_pin', { pin: '246813', again: '246813' });
      await waitForView('setup', (v) => v.screen === 'setup' && v.message === 'saved');

      kiosk.showToCamera(setupQr(a, 'setup-a.png').png);
      await waitForView('enrolled with A', (v) => v.screen === 'setup' && v.enrolled && v.message === 'enrolled');
      assert.equal((await invoke('get_setup')).value.portal_url, a.url);

      // A QR of B whose code is spent (another kiosk enrolled with it): the switch fails, and
      // the kiosk is still A's.
      const spentQr = setupQr(b, 'setup-b-spent.png');
      const spent = await fetch(`${b.url}/api/v1/kiosks/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: spentQr.code, name: 'another kiosk' }),
      });
      assert.equal(spent.status, 201);
      kiosk.showToCamera(spentQr.png);
      await waitForScreen(session, 'setup_switch');
      await invoke('confirm_setup_switch');
      await waitForView(
        'the failed switch',
        (v) => v.screen === 'setup' && v.enrolled && v.message === 'enrollment_code_invalid',
      );
      assert.equal((await invoke('get_setup')).value.portal_url, a.url, 'still A after a failed switch');
      kiosk.showToCamera(null);

      // Another portal's QR: the kiosk asks first, showing where it would go; "No" has the focus.
      kiosk.showToCamera(setupQr(b, 'setup-b.png').png);
      await waitForScreen(session, 'setup_switch');
      const shown = await session.execute(
        'return [document.querySelector(".setup-origin").textContent, document.activeElement.textContent];',
      );
      assert.equal(shown[0], b.url);
      assert.match(shown[1], /^No/);
      await screenshot(session, 'setup-switch');
      assert.equal((await invoke('get_setup')).value.portal_url, a.url, 'nothing changed before yes');
      await invoke('confirm_setup_switch');
      await waitForView('enrolled with B', (v) => v.screen === 'setup' && v.enrolled && v.message === 'enrolled');
      assert.equal((await invoke('get_setup')).value.portal_url, b.url);

      // On the scan screen the same QR is just not a badge.
      kiosk.showToCamera(null);
      await invoke('leave_setup');
      await waitForScreen(session, 'scanning');
      kiosk.showToCamera(setupQr(a, 'setup-a2.png').png);
      await waitForView('not a badge', (v) => v.screen === 'result' && v.code === 'not_a_badge');
      assert.equal((await invoke('get_setup')).value.portal_url, b.url);
    } finally {
      await kiosk.close();
      a.stop();
      b.stop();
    }
  });
});
