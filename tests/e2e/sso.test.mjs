// One badge, every app, end to end: the real kiosk app, a real portal, and the demo app
// (badgein-demo-app, an OpenID Connect relying party) registered as one of the school's apps.
// A child shows her badge, taps the app's tile on her dashboard, and the app says "Signed in
// as <her name>" without a key pressed; "I'm done" then reaches the app's back-channel logout.
// On SQLite and on PostgreSQL (the cluster scripts/test starts).
// The portal sits behind the probing proxy (probe.mjs) because WebDriver cannot enter the
// portal view: the probe's script taps the tile the way a child's finger does.
// Run by scripts/test-e2e; screenshots in $CARGO_TARGET_DIR/e2e-screenshots/.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  freePort,
  launch,
  portalPainted,
  screenshot,
  startPortal,
  waitForScreen,
  waitUntil,
} from './harness.mjs';
import { startProbe } from './probe.mjs';

const TARGET = process.env.CARGO_TARGET_DIR ?? join(import.meta.dirname, '..', '..', 'target');
const DEMO_APP = process.env.BADGEIN_DEMO_APP_BIN ?? join(TARGET, 'debug', 'badgein-demo-app');

/** The demo app's `/status`: who is signed in there, how many logouts it took. */
async function appStatus(url) {
  const r = await fetch(`${url}/status`);
  assert.equal(r.status, 200);
  return r.json();
}

/** Registers the demo app with the portal and starts it on a free port. */
async function startDemoApp(portal, issuer) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const registered = JSON.parse(
    portal.cli([
      'app', 'add', '--name', 'Story Time', '--url', `${url}/`,
      '--oidc-redirect', `${url}/callback`,
      '--backchannel-logout', `${url}/backchannel-logout`,
    ]),
  );
  const log = openSync(join(portal.dir, 'demo-app.log'), 'a');
  const app = spawn(
    DEMO_APP,
    ['--issuer', issuer, '--client-id', registered.client_id, '--listen', `127.0.0.1:${port}`, '--public-url', url],
    {
      stdio: ['ignore', log, log],
      env: { ...process.env, BADGEIN_DEMO_APP_SECRET: registered.client_secret },
    },
  );
  await waitUntil(async () => (await fetch(`${url}/status`)).ok, 'the demo app', 20_000);
  return {
    url,
    log: () => readFileSync(join(portal.dir, 'demo-app.log'), 'utf8'),
    stop() {
      try {
        app.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}

// The same sign-in on each database the portal runs on. scripts/test starts a throwaway
// PostgreSQL cluster and names it in BADGEIN_TEST_POSTGRES; without it the PostgreSQL run is
// reported skipped, not passed.
const POSTGRES = process.env.BADGEIN_TEST_POSTGRES;
const DATABASES = [
  { name: 'sqlite' },
  {
    name: 'postgres',
    postgres: POSTGRES,
    skip: POSTGRES ? false : 'BADGEIN_TEST_POSTGRES is not set (scripts/test sets it)',
  },
];

for (const database of DATABASES) {
  describe(`from badge to app without typing (${database.name})`, { timeout: 240_000, skip: database.skip }, () => {
    let probe;
    let portal;
    let demo;
    let kiosk;

    before(async () => {
      probe = await startProbe();
      portal = await startPortal({ publicUrl: probe.url, postgres: database.postgres });
      probe.forwardTo(portal.url);
      // Registered before the kiosk enrolls, so its allow-list has the app's origin.
      demo = await startDemoApp(portal, probe.url);
      kiosk = await launch(`sso-${database.name}`, portal.enrollEnv());
    });

    after(async () => {
      await kiosk?.close();
      demo?.stop();
      portal?.stop();
      probe?.close();
    });

    test('a child opens an app from her dashboard and "I\'m done" signs her out of it', async () => {
      const { session } = kiosk;
      const badge = portal.badges[0];
      const name = basename(badge, '.png').split('-').pop();
      await waitForScreen(session, 'scanning', 60_000);

      probe.expect(name);
      kiosk.showToCamera(readFileSync(badge));
      await waitForScreen(session, 'signed_in', 20_000);
      kiosk.showToCamera(null);
      await probe.waitForReport((r) => r.label === name && r.phase === 'planted', 'her dashboard');
      await portalPainted();
      await screenshot(session, `sso-${database.name}-1-dashboard`);

      // Her finger on the tile: the app starts its sign-in at the portal, which knows her.
      const tap = probe.command(name, { type: 'click', selector: `a.tile[href="${demo.url}/"]` });
      const tapped = await probe.waitForReport((r) => r.command === tap, 'the tap on the tile');
      assert.equal(tapped.result.clicked, true, 'the dashboard shows the app\'s tile');
      try {
        await waitUntil(
          async () => (await appStatus(demo.url)).signed_in.some((n) => n.toLowerCase().startsWith(name)),
          `the app to say she is signed in`,
          20_000,
        );
      } catch (error) {
        throw new Error(`${error.message}\n--- demo app log ---\n${demo.log().slice(-3000)}`);
      }
      await portalPainted();
      await screenshot(session, `sso-${database.name}-2-app-signed-in`);
      assert.equal((await appStatus(demo.url)).backchannel_logouts, 0);

      // "I'm done" in the kiosk's bar: the portal tells the app over the back channel.
      await session.execute("document.querySelector('button.button-secondary.button-bar').click();");
      await waitForScreen(session, 'scanning', 20_000);
      await waitUntil(
        async () => {
          const status = await appStatus(demo.url);
          return status.backchannel_logouts === 1 && status.signed_in.length === 0;
        },
        'the app to hear of the sign-out',
        20_000,
      );
      await screenshot(session, `sso-${database.name}-3-signed-out`);
    });
  });
}
