// Sign-in end to end: the real kiosk app against a real portal (badgein-portal demo + serve on
// a free port). Child A shows a badge, is greeted and gets the portal; "I'm done" signs out;
// child B signs in next. Run by scripts/test-e2e; screenshots in $CARGO_TARGET_DIR/e2e-screenshots/.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launch, portalPainted, screenshot, startPortal, waitForScreen } from './harness.mjs';
import { checkLogDir } from './kiosk-log.mjs';

/** The demo writes `demo-student-<n>-<given name>.png`. */
function givenName(badgePath) {
  return basename(badgePath, '.png').split('-').pop();
}

const view = (session) =>
  session.executeAsync(
    'const done = arguments[0]; window.__TAURI__.core.invoke("get_view").then(done, (e) => done({error: String(e)}));',
  );

/** Waits for the greeting or (if it was too quick to see) the signed-in bar; returns the view. */
async function signedInView(session, timeoutMs) {
  await session.waitFor(
    'return ["greeting", "signed_in"].includes(document.body.dataset.screen);',
    'the greeting',
    timeoutMs,
  );
  return view(session);
}

describe('signing in by badge against a real portal', { timeout: 240_000 }, () => {
  let portal;
  let kiosk;
  // The kiosk's log files, where IT would find them (BADGEIN_LOG_DIR overrides the OS's place).
  const logDir = mkdtempSync(join(tmpdir(), 'badgein-e2e-signin-logs-'));
  const signedIn = [];

  before(async () => {
    portal = await startPortal();
    kiosk = await launch('signin', { ...portal.enrollEnv(), BADGEIN_LOG_DIR: logDir });
  });

  after(async () => {
    await kiosk?.close();
    portal?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  test('child A signs in, says "I\'m done", child B signs in', async () => {
    const { session } = kiosk;
    const [badgeA, badgeB] = [portal.badges[0], portal.badges[5]];
    assert.ok(badgeA && badgeB, `demo badges: ${portal.badges}`);

    // Unattended enrollment leaves the kiosk scanning.
    await waitForScreen(session, 'scanning', 60_000);
    await screenshot(session, 'signin-1-scanning');

    const shown = Date.now();
    kiosk.showToCamera(readFileSync(badgeA));
    const a = await signedInView(session, 20_000);
    const latency = Date.now() - shown;
    console.log(`scan-to-greeting latency (100 ms polling): ${latency} ms`);
    assert.equal(a.user.first_name.toLowerCase(), givenName(badgeA));
    await screenshot(session, 'signin-2-greeting-a');

    await waitForScreen(session, 'signed_in');
    // The badge goes back in the pocket before sign-out, or it would sign A in again.
    kiosk.showToCamera(null);
    // Screen capture: the signed-in bar above the portal view (A's dashboard).
    await portalPainted();
    await screenshot(session, 'signin-3-signed-in-a');
    const bar = await view(session);
    assert.equal(bar.screen, 'signed_in');
    assert.equal(bar.user.first_name, a.user.first_name);

    // "I'm done", pressed in the top bar above the portal view.
    await session.execute("document.querySelector('button.button-secondary.button-bar').click();");
    await waitForScreen(session, 'scanning', 20_000);
    await screenshot(session, 'signin-4-signed-out');

    kiosk.showToCamera(readFileSync(badgeB));
    const b = await signedInView(session, 20_000);
    assert.equal(b.user.first_name.toLowerCase(), givenName(badgeB));
    assert.notEqual(b.user.first_name, a.user.first_name);
    await waitForScreen(session, 'signed_in');
    kiosk.showToCamera(null);
    await portalPainted();
    await screenshot(session, 'signin-5-signed-in-b');
    signedIn.push(a.user, b.user);
  });

  test('the log file has the version and the kiosk id, never the credential or a name', () => {
    assert.equal(signedIn.length, 2, 'the sign-ins ran first');
    checkLogDir(logDir, kiosk, signedIn);
  });
});
