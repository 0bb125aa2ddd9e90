// The kiosk as its Debian package installs it: the .deb `tauri build` made (BADGEIN_KIOSK_DEB,
// which scripts/test-e2e sets after `tauri build --debug --bundles deb`; scripts/package makes
// the release one) unpacked with `dpkg-deb -x` into a scratch directory, and its binary run
// under Xvfb with the simulated camera to the scan screen, then started again enrolled to time
// its cold start (process start -> scan screen). Also: the package carries what starts the kiosk
// at login and again after a crash, and its log goes where it is told.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { appPid, launch, removeTemp, startPortal, waitForScreen } from './harness.mjs';
import { processStart } from './bench/proc.mjs';
import { kioskId, kioskVersion } from './kiosk-log.mjs';

const DEB = process.env.BADGEIN_KIOSK_DEB;

describe('the kiosk from its .deb', { timeout: 240_000 }, () => {
  let root;
  let portal;
  let profile;
  let logDir;

  before(async () => {
    assert.ok(DEB && existsSync(DEB), `BADGEIN_KIOSK_DEB names no .deb (${DEB}); scripts/test-e2e builds one`);
    root = mkdtempSync(join(tmpdir(), 'badgein-e2e-deb-'));
    execFileSync('dpkg-deb', ['-x', DEB, join(root, 'tree')]);
    // One profile for both starts (the harness's own dirs go with each launch); the credential
    // stays in the run's keyring, so the second start is an enrolled kiosk's.
    profile = Object.fromEntries(
      ['data', 'cache', 'config'].map((d) => {
        mkdirSync(join(root, d), { mode: 0o700 });
        return [`XDG_${d.toUpperCase()}_HOME`, join(root, d)];
      }),
    );
    logDir = join(root, 'logs');
    portal = await startPortal();
  });

  after(() => {
    portal?.stop();
    // WebKit's helpers may still write caches as they exit: a leftover is reported, not a failure.
    if (root) removeTemp(root);
  });

  test('the package holds the kiosk, its menu entry, autostart and restarting user service', () => {
    const tree = join(root, 'tree');
    for (const file of [
      'usr/bin/badgein-kiosk',
      'usr/share/applications/BadgeIn.desktop',
      'usr/share/icons/hicolor/128x128/apps/badgein-kiosk.png',
      'etc/xdg/autostart/badgein-kiosk.desktop',
      'usr/lib/badgein-kiosk/start-in-session',
      'usr/share/doc/badgein-kiosk/examples/badgein-kiosk-session',
    ]) {
      assert.ok(existsSync(join(tree, file)), `${file} is not in the package`);
    }
    const unit = readFileSync(join(tree, 'usr/lib/systemd/user/badgein-kiosk.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/bin\/badgein-kiosk$/m);
    assert.match(unit, /^Restart=on-failure$/m);
    const autostart = readFileSync(join(tree, 'etc/xdg/autostart/badgein-kiosk.desktop'), 'utf8');
    assert.match(autostart, /^Exec=sh \/usr\/lib\/badgein-kiosk\/start-in-session$/m);
    const depends = execFileSync('dpkg-deb', ['-f', DEB, 'Depends'], { encoding: 'utf8' });
    for (const dep of ['libwebkit2gtk-4.1-0', 'libgtk-3-0', 'libdbus-1-3']) assert.ok(depends.includes(dep), depends);
    assert.equal(execFileSync('dpkg-deb', ['-f', DEB, 'Version'], { encoding: 'utf8' }).trim(), kioskVersion());
  });

  test("the autostart script hands the session's display to the user service and starts it", () => {
    // A stand-in systemctl on PATH records what the script asks of the user manager.
    const bin = join(root, 'stub-bin');
    mkdirSync(bin);
    const calls = join(root, 'systemctl-calls');
    writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >>'${calls}'\n`, { mode: 0o755 });
    const env = { PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ':7', XDG_SESSION_TYPE: 'x11' };
    execFileSync('sh', [join(root, 'tree', 'usr/lib/badgein-kiosk/start-in-session')], { env });
    assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), [
      '--user show-environment',
      '--user import-environment DISPLAY',
      '--user import-environment XDG_SESSION_TYPE',
      '--user start badgein-kiosk.service',
    ]);
  });

  test('the unpacked kiosk enrolls and reaches the scan screen; its log goes where told', async () => {
    const kiosk = await launch('deb', { ...portal.enrollEnv(), ...profile, BADGEIN_LOG_DIR: logDir }, {
      app: join(root, 'tree', 'usr', 'bin', 'badgein-kiosk'),
    });
    try {
      await waitForScreen(kiosk.session, 'scanning', 60_000);
      assert.ok(kioskId(profile.XDG_CONFIG_HOME), 'enrolled');
    } finally {
      await kiosk.close();
    }
  });

  test('cold start of the packaged kiosk, enrolled: process start -> scan screen', async () => {
    const kiosk = await launch('deb-cold', { ...profile, BADGEIN_LOG_DIR: logDir }, {
      app: join(root, 'tree', 'usr', 'bin', 'badgein-kiosk'),
    });
    try {
      const pid = appPid(kiosk.driverPid);
      assert.ok(pid, 'the packaged kiosk runs');
      const spawned = processStart(pid);
      await kiosk.session.waitFor(
        "return performance.getEntriesByName('badgein:preview-started').length > 0;",
        'the scan screen',
        60_000,
      );
      const marks = await kiosk.session.execute(`
        return { started: performance.timeOrigin + performance.getEntriesByName('badgein:preview-started')[0].startTime,
                 screen: document.body.dataset.screen };
      `);
      assert.equal(marks.screen, 'scanning');
      console.log(`packaged kiosk cold start, enrolled: process start -> scan screen ${Math.round(marks.started - spawned)} ms`);
    } finally {
      await kiosk.close();
    }
    // This start knew its id before its first line: the header says it.
    const log = readdirSync(logDir).map((file) => readFileSync(join(logDir, file), 'utf8')).join('');
    const id = kioskId(profile.XDG_CONFIG_HOME);
    assert.ok(log.includes(`BadgeIn kiosk ${kioskVersion()}, kiosk id ${id}\n`), log.slice(0, 2000));
  });
});
