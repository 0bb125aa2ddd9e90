// The real kiosk app under Xvfb, driven by WebDriver: the window, kiosk-mode escapes, the
// preview stream. Run by scripts/test-e2e.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { PNG } from 'pngjs';

import { mappedFiles, startEnvironment, threadNames } from './bench/proc.mjs';
import {
  APP,
  appPid,
  askToClose,
  commands,
  launch,
  managedWindows,
  pressAltF4,
  screenshot,
  startPortal,
  startWindowManager,
  waitForScreen,
  waitUntil,
  webProcesses,
} from './harness.mjs';

describe('the kiosk window', { timeout: 180_000 }, () => {
  let kiosk;
  let portal;
  let windowManager;

  before(async () => {
    // Under a window manager, as on a school computer: it is what turns Alt+F4 or a desktop's
    // "close" into the close request the kiosk must refuse.
    windowManager = await startWindowManager();
    // Enrolled at start against a real portal (unattended enrollment), so it scans.
    portal = await startPortal();
    kiosk = await launch('window', portal.enrollEnv());
  });

  after(async () => {
    await kiosk?.close();
    portal?.stop();
    windowManager?.stop();
  });

  test('starts on the scanning screen with the live preview', async () => {
    await waitForScreen(kiosk.session, 'scanning', 60_000);
    const view = await kiosk.session.executeAsync(
      'const done = arguments[0]; window.__TAURI__.core.invoke("get_view").then(done, (e) => done({error: String(e)}));',
    );
    assert.equal(view.screen, 'scanning');
    await screenshot(kiosk.session, 'scanning');
    // The window paints on the CPU from its first page (platform::linux::lighten_webview): its
    // web process runs no OpenGL compositor (Mesa's llvmpipe threads without a GPU, as here).
    const [windowProcess] = webProcesses(kiosk.pid);
    assert.ok(windowProcess, 'the kiosk window has a web process');
    const threads = threadNames(windowProcess).map(([name]) => name);
    assert.ok(!threads.some((name) => /llvmpipe|Compositor/.test(name)), threads.join(', '));
    // glibc's malloc there gives freed memory back (platform::web_process_malloc): the app sets
    // it for WebKit's processes as it starts, not for itself, whose camera loop it would slow.
    const tunables = (pid) => startEnvironment(pid).filter((v) => v.startsWith('GLIBC_TUNABLES='));
    assert.match(tunables(windowProcess).join(), /^GLIBC_TUNABLES=glibc\.malloc\.mmap_threshold=131072/);
    assert.deepEqual(tunables(kiosk.pid), []);
    // Without a GPU (no render node, as in Xvfb here) the app's own process loads no GL driver
    // (platform::app_without_gl): Mesa and LLVM stay in the web processes, which paint.
    const gpu = existsSync('/dev/dri') && readdirSync('/dev/dri').some((n) => n.startsWith('renderD'));
    const gl = (pid) => mappedFiles(pid).filter((f) => /^(libEGL_mesa|libGLX_mesa|swrast_dri|libLLVM|libgallium)/.test(f));
    assert.ok(gl(windowProcess).some((f) => f.startsWith('libEGL_mesa')), gl(windowProcess).join(', '));
    if (gpu) assert.ok(gl(kiosk.pid).length > 0, 'with a GPU the app keeps WebKit\'s GL');
    else assert.deepEqual(gl(kiosk.pid), []);
    assert.deepEqual(startEnvironment(windowProcess).filter((v) => v.startsWith('__EGL_VENDOR')), []);
  });

  test('preview frames arrive as JPEG bytes over a channel, one in flight', async () => {
    // A still scene sends its one frame and then nothing: two striped pictures, one brighter,
    // take turns in front of the camera, so a frame is always waiting when the window
    // acknowledges the last one.
    const stripes = (dark, light) => {
      const [width, height] = [320, 180];
      const data = Buffer.alloc(width * height * 4, 255);
      for (let i = 0; i < width * height; i++) data.fill(i % 8 < 4 ? dark : light, i * 4, i * 4 + 3);
      return PNG.sync.write({ width, height, data });
    };
    const pictures = [stripes(40, 200), stripes(90, 250)];
    let turn = 0;
    const flicker = setInterval(() => kiosk.showToCamera(pictures[turn++ % 2]), 50);
    let result;
    try {
      result = await kiosk.session.executeAsync(`
      const done = arguments[0];
      const { Channel, invoke } = window.__TAURI__.core;
      const seen = [];
      const channel = new Channel();
      let unacked = 0, maxUnacked = 0;
      channel.onmessage = (data) => {
        unacked += 1;
        maxUnacked = Math.max(maxUnacked, unacked);
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : null;
        seen.push({ type: Object.prototype.toString.call(data), size: bytes?.length ?? 0,
                    jpeg: !!bytes && bytes[0] === 0xff && bytes[1] === 0xd8 });
        // Wait a little before acknowledging: nothing more may arrive meanwhile.
        setTimeout(() => { unacked -= 1; invoke('preview_ready', { channel_id: channel.id }); }, 150);
        if (seen.length === 4) setTimeout(() => done({ seen, maxUnacked }), 300);
      };
      invoke('preview', { channel }).catch((e) => done({ error: String(e) }));
      setTimeout(() => done({ seen, maxUnacked, timeout: true }), 15000);
    `);
    } finally {
      clearInterval(flicker);
      kiosk.showToCamera(null);
    }
    assert.equal(result.error, undefined);
    assert.ok(result.seen.length >= 4, JSON.stringify(result));
    for (const frame of result.seen) {
      assert.equal(frame.type, '[object ArrayBuffer]');
      assert.ok(frame.jpeg, 'a JPEG');
      assert.ok(frame.size > 1000 && frame.size < 100_000, `size ${frame.size}`);
    }
    assert.equal(result.maxUnacked, 1, 'one frame in flight');
  });

  test('the window cannot be closed without the teacher PIN', async () => {
    const { session } = kiosk;
    const pid = appPid(kiosk.driverPid);
    assert.ok(pid, 'the app runs');
    let windows = [];
    await waitUntil(
      async () => (windows = managedWindows(pid, 'BadgeIn')).length === 1,
      'the window manager to manage the kiosk window',
      20_000,
    );
    const [window] = windows;
    const refusals = () => kiosk.appLog().match(/close refused: teacher PIN needed/g)?.length ?? 0;

    // The window manager's close, both ways a person reaches it: Alt+F4, and a desktop's close
    // (a taskbar, `wmctrl -c`). Each is a WM_DELETE_WINDOW the close guard must refuse; it
    // answers with the teacher's PIN pad (no PIN chosen yet: choosing one).
    for (const [how, close] of [
      ['Alt+F4', pressAltF4],
      ["the window manager's close", askToClose],
    ]) {
      await waitForScreen(session, 'scanning');
      const before = refusals();
      await close(window);
      await waitForScreen(session, 'choose_pin');
      await waitUntil(async () => refusals() === before + 1, `${how}: the refusal in the log`, 10_000);
      assert.deepEqual(managedWindows(pid, 'BadgeIn'), [window], `${how}: the window is still there`);
      assert.equal(appPid(kiosk.driverPid), pid, `${how}: the app still runs`);
      await session.executeAsync(
        'const done = arguments[0]; window.__TAURI__.core.invoke("leave_setup").then(done, done);',
      );
    }

    // (WebDriver's own "close window" is not tried: it destroys the webview directly in wry,
    // below the window's close request, which no kiosk user can reach.)
    await session.execute('window.close();').catch(() => {});
    const refused = await session.executeAsync(
      'const done = arguments[0]; window.__TAURI__.core.invoke("quit", { pin: "0000" }).then(() => done("quit"), (e) => done(e));',
    );
    assert.equal(refused.code, 'pin_wrong');
    // Still there and still answering.
    await waitForScreen(session, 'scanning');
    assert.equal(appPid(kiosk.driverPid), pid);
    assert.deepEqual(managedWindows(pid, 'BadgeIn'), [window]);
  });

  test('the UI cannot reach window, webview, shell or file APIs', async () => {
    const outcomes = await kiosk.session.executeAsync(`
      const done = arguments[0];
      const invoke = window.__TAURI__.core.invoke;
      const attempts = {
        create_webview: () => invoke('plugin:webview|create_webview_window', { options: { label: 'x', url: 'https://example.org' } }),
        set_fullscreen: () => invoke('plugin:window|set_fullscreen', { label: 'main', value: false }),
        close_window: () => invoke('plugin:window|close', { label: 'main' }),
        shell: () => invoke('plugin:shell|open', { path: 'https://example.org' }),
        opener: () => invoke('plugin:opener|open_url', { url: 'https://example.org' }),
        unknown: () => invoke('no_such_command'),
      };
      const out = {};
      Promise.all(Object.entries(attempts).map(([name, attempt]) =>
        attempt().then(() => { out[name] = 'allowed'; }, (e) => { out[name] = 'refused: ' + String(e); })
      )).then(() => done(out));
    `);
    for (const [name, outcome] of Object.entries(outcomes)) {
      assert.match(outcome, /^refused/, `${name}: ${outcome}`);
    }
    await waitForScreen(kiosk.session, 'scanning');
  });

  test('a second launch leaves the first instance alone and exits', async () => {
    const first = appPid(kiosk.driverPid);
    const second = spawn(APP, [], { stdio: 'ignore', env: process.env });
    const code = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        second.kill('SIGKILL');
        reject(new Error('the second instance did not exit'));
      }, 30_000);
      second.on('exit', (status) => {
        clearTimeout(timer);
        resolve(status);
      });
    });
    assert.equal(code, 0);
    assert.equal(appPid(kiosk.driverPid), first);
    await waitForScreen(kiosk.session, 'scanning');
  });

  // Last: it ends the app.
  test('a kiosk without a PIN makes the teacher choose one; wrong PINs start a wait; quit needs the PIN', async () => {
    const { session } = kiosk;
    const { invoke, waitForView } = commands(session);
    // Setup's commands are refused outside the setup screen, whoever calls them.
    const { value: before } = await invoke('get_setup');
    const { pin_set: _before, ...current } = before;
    const early = await invoke('save_setup', { ...current, new_pin: '135790' });
    assert.ok('error' in early, 'save_setup refused while scanning');
    assert.ok('error' in (await invoke('test_scan')), 'test_scan refused while scanning');
    assert.ok('error' in (await invoke('teacher_unlock', { pin: '' })), 'no PIN pad, no check');
    assert.equal((await invoke('get_setup')).value.pin_set, false, 'no PIN was set');

    // No PIN yet: the chord leads to choosing one, nothing else; a short one is refused.
    await invoke('open_teacher');
    await waitForScreen(session, 'choose_pin');
    assert.ok('error' in (await invoke('enroll', { portal_url: '', code: 'X', kiosk_name: '' })));
    await invoke('choose_pin', { pin: '1357', again: '1357' });
    await waitForView('pin_invalid', (v) => v.screen === 'choose_pin' && v.message === 'pin_invalid');
    await invoke('choose_pin', { pin: '246813', again: '246813' });
    await waitForView('setup saying saved', (v) => v.screen === 'setup' && v.message === 'saved');
    assert.equal((await invoke('get_setup')).value.pin_set, true);
    await invoke('leave_setup');
    await waitForScreen(session, 'scanning');

    const pid = appPid(kiosk.driverPid);
    const wrong = await invoke('quit', { pin: '000000' });
    assert.equal(wrong.error?.code, 'pin_wrong');
    await waitForScreen(session, 'scanning');
    assert.equal(appPid(kiosk.driverPid), pid, 'still running after a wrong PIN');

    // Four more wrong PINs on the pad (five in all with quit's): the pad shows a wait.
    await invoke('open_teacher');
    await waitForScreen(session, 'teacher_pin');
    for (const pin of ['111111', '222222', '333333', '444444']) {
      await invoke('teacher_unlock', { pin });
    }
    const waiting = await waitForView('a wait', (v) => v.screen === 'teacher_pin' && v.wait_secs > 0);
    assert.equal(waiting.failed, true);
    assert.ok(waiting.wait_secs <= 30, JSON.stringify(waiting));
    const shown = await session.execute("return document.getElementById('pin-wait')?.textContent ?? '';");
    assert.match(shown, /Wait \d+ seconds/);
    await screenshot(session, 'teacher-pin-wait');
    // During the wait not even the right PIN is checked: no setup, no quit.
    await invoke('teacher_unlock', { pin: '246813' });
    assert.equal((await invoke('get_view')).value.screen, 'teacher_pin');
    assert.equal((await invoke('quit', { pin: '246813' })).error?.code, 'pin_wrong');
    assert.equal(appPid(kiosk.driverPid), pid, 'still running during the wait');
    await waitForView('the wait to end', (v) => v.screen === 'teacher_pin' && v.wait_secs == null, 40_000);

    // The right PIN ends the app (the answer may never come back: fire and watch the process).
    await session.execute("window.__TAURI__.core.invoke('quit', { pin: '246813' }); return true;");
    const quitBy = Date.now() + 20_000;
    while (appPid(kiosk.driverPid) === pid) {
      assert.ok(Date.now() < quitBy, 'the app did not quit with the right PIN');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});

describe('a kiosk started with the malloc setting it makes for its web processes', { timeout: 120_000 }, () => {
  let kiosk;
  let portal;

  before(async () => {
    portal = await startPortal();
    // What Tauri's restart after an update hands the next kiosk: the running one's environment,
    // the setting for its web processes in it (platform::web_process_malloc).
    kiosk = await launch('inherited-malloc', {
      ...portal.enrollEnv(),
      GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072',
      BADGEIN_WEB_PROCESS_MALLOC: '1',
    });
  });

  after(async () => {
    await kiosk?.close();
    portal?.stop();
  });

  test('starts itself again without it, and sets it for its web processes only', async () => {
    await waitForScreen(kiosk.session, 'scanning', 60_000);
    const tunables = (pid) => startEnvironment(pid).filter((v) => /^(GLIBC_TUNABLES|BADGEIN_WEB_PROCESS_MALLOC)=/.test(v));
    // The same process (an exec keeps the pid), now started with neither.
    assert.deepEqual(tunables(kiosk.pid), []);
    const [windowProcess] = webProcesses(kiosk.pid);
    assert.ok(windowProcess, 'the kiosk window has a web process');
    assert.equal(tunables(windowProcess).length, 2, tunables(windowProcess).join(', '));
  });
});
