// What a screen reader gets from the real kiosk window: its accessibility tree and events read
// through AT-SPI (tests/e2e/atspi.py; AT-SPI is what Orca reads on Linux), and the typed sign-in
// done on the real keyboard alone (XTEST key presses, no pointer, no WebDriver clicks; WebDriver
// only reads the view). Run by scripts/test-e2e.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';

import {
  focusWindow,
  keyboard,
  launch,
  managedWindows,
  ROOT,
  startPortal,
  startWindowManager,
  waitForScreen,
  waitUntil,
  webProcesses,
} from './harness.mjs';

const ATSPI = join(ROOT, 'tests', 'e2e', 'atspi.py');
// The system Python: python3-gi and gir1.2-atspi-2.0 come from apt, not from a pyenv.
const PYTHON = '/usr/bin/python3';
// The English catalog's words the checks look for (ui/i18n/en.js).
const SCANNING_TITLE = 'Show your badge to the camera';
const TYPED_BUTTON = 'Type my name and password';

/** The AT-SPI tree of the application whose process is `pid`. */
function tree(pid) {
  const out = execFileSync(PYTHON, [ATSPI, 'tree', String(pid)], { encoding: 'utf8', timeout: 60_000 });
  const root = JSON.parse(out);
  assert.equal(root.error, undefined, root.error);
  return root;
}

/** Every node of `root` (depth first) for which `keep` holds. */
function nodes(root, keep = () => true) {
  const out = [];
  const walk = (node) => {
    if (keep(node)) out.push(node);
    for (const child of node.children ?? []) walk(child);
  };
  walk(root);
  return out;
}

/** The English greeting of the demo child whose badge is `badge` (`demo-student-<n>-<name>.png`). */
function greetingFor(badge) {
  const given = badge.split('-').pop().replace('.png', '');
  return `Hi, ${given[0].toUpperCase()}${given.slice(1)}!`;
}

const showing = (node) => node.states.includes('showing');
const isButton = (node) => /button/.test(node.role);

/** The window's AT-SPI tree, once the web content's `heading` is in it. */
async function treeWith(pid, heading) {
  let last;
  await waitUntil(
    async () => {
      last = tree(pid);
      return nodes(last, (n) => n.role === 'heading' && n.name === heading && showing(n)).length > 0;
    },
    `a heading "${heading}" on the AT-SPI bus`,
    20_000,
  );
  return last;
}

/**
 * AT-SPI events of process `pid` as they come (atspi.py watch), from when it says it listens.
 * `lines` grows; `stop()` ends it.
 */
async function watchEvents(pid) {
  const child = spawn(PYTHON, [ATSPI, 'watch', String(pid)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  let ready = false;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line);
    if (event.ready) ready = true;
    else lines.push(event);
  });
  await waitUntil(async () => ready, 'the AT-SPI event listener', 20_000);
  return {
    lines,
    stop: () => child.kill('SIGTERM'),
    /** Waits until some event satisfies `check`; a timeout lists what came. */
    async waitFor(check, what) {
      try {
        await waitUntil(async () => lines.some(check), what, 20_000);
      } catch (error) {
        throw new Error(`${error.message}; the events were:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
      }
    },
  };
}

/**
 * Whether `event` put `text` into one of the page's live regions, the way Orca's live-region
 * support hears it: an element added to the region (what WebKitGTK reports), text inserted into
 * it, or an announcement.
 */
function liveAnnouncement(event, text) {
  const live = event.source['container-live'] ?? event.source.live;
  const kind = event.type;
  const heard =
    kind === 'object:announcement' ||
    (live && (kind.startsWith('object:children-changed:add') || kind.startsWith('object:text-changed:insert')));
  return heard && typeof event.text === 'string' && event.text.includes(text);
}

describe('the kiosk through a screen reader and the keyboard', { timeout: 240_000 }, () => {
  let portal;
  let kiosk;
  let windowManager;
  let pid;
  const password = 'Correct-Horse-Battery-9';

  before(async () => {
    windowManager = await startWindowManager();
    portal = await startPortal();
    // Zoe (demo-student-5) also has a password, for the typed sign-in.
    portal.cli(['user', 'password', '--user', 'demo-student-5'], `${password}\n`);
    kiosk = await launch('accessibility', portal.enrollEnv());
    await waitForScreen(kiosk.session, 'scanning', 60_000);
    pid = kiosk.pid;
    assert.ok(pid, 'the kiosk process');
  });

  after(async () => {
    await kiosk?.close();
    portal?.stop();
    windowManager?.stop();
  });

  test('the scan screen: its heading, its live regions, every button named', async () => {
    const root = await treeWith(pid, SCANNING_TITLE);
    const [document] = nodes(root, (n) => n.role === 'document web');
    assert.ok(document, 'the web content is on the bus');
    assert.equal(document.name, 'BadgeIn');

    const headings = nodes(document, (n) => n.role === 'heading' && showing(n));
    assert.deepEqual(
      headings.map((n) => [n.name, n.tag]),
      [[SCANNING_TITLE, 'h1']],
    );
    // The two regions themselves (`live`; what they hold inherits `container-live`).
    const live = nodes(document, (n) => n.live);
    assert.deepEqual(live.map((n) => [n.role, n.live]).sort(), [
      ['notification', 'assertive'],
      ['status bar', 'polite'],
    ]);

    const buttons = nodes(document, (n) => isButton(n) && showing(n));
    assert.ok(buttons.length >= 3, JSON.stringify(buttons.map((n) => n.name)));
    for (const button of buttons) {
      assert.ok(button.name.trim().length > 0, `a ${button.role} without a name`);
      assert.ok(button.states.includes('focusable'), `${button.name}: reachable by keyboard`);
    }
    assert.ok(buttons.some((n) => n.name === TYPED_BUTTON));
    assert.ok(buttons.some((n) => n.role === 'toggle button' && n.name === 'Español'));
    // The live camera view is a named picture, not an unnamed canvas.
    assert.ok(nodes(document, (n) => n.role === 'image' && /camera/i.test(n.name)).length === 1);
  });

  test('a badge sign-in is announced in the live region', async () => {
    const events = await watchEvents(pid);
    try {
      const badge = portal.badges[1];
      const greeting = greetingFor(badge);
      kiosk.showToCamera(readFileSync(badge));
      await events.waitFor((e) => liveAnnouncement(e, greeting), `"${greeting}" announced`);
      await waitForScreen(kiosk.session, 'signed_in', 20_000);
      kiosk.showToCamera(null);
      await events.waitFor((e) => liveAnnouncement(e, 'Signed in'), 'the signed-in bar announced');
      const root = tree(pid);
      const buttons = nodes(root, (n) => isButton(n) && showing(n));
      for (const button of buttons) assert.ok(button.name.trim(), `a ${button.role} without a name`);
      assert.ok(buttons.some((n) => /done/i.test(n.name)), JSON.stringify(buttons.map((n) => n.name)));
    } finally {
      events.stop();
    }
    // Back to the scan screen for the next test (WebDriver reads and clicks only here).
    await kiosk.session.execute("document.querySelector('button.button-secondary.button-bar').click();");
    await waitForScreen(kiosk.session, 'scanning', 20_000);
  });

  test('the typed sign-in by keyboard alone, in the real window', async () => {
    const [window] = managedWindows(pid, 'BadgeIn');
    assert.ok(window, 'the kiosk window, managed by the window manager');
    await focusWindow(window);
    await treeWith(pid, SCANNING_TITLE);
    // The scan screen puts the focus on its one action: Enter opens the typed sign-in.
    await waitUntil(
      async () => nodes(tree(pid), (n) => n.name === TYPED_BUTTON && n.states.includes('focused')).length === 1,
      'the focus on the typed sign-in button',
      20_000,
    );
    keyboard.press('Return');
    await waitForScreen(kiosk.session, 'typed', 20_000);

    const typed = tree(pid);
    const fields = nodes(typed, (n) => ['entry', 'password text'].includes(n.role) && showing(n));
    assert.deepEqual(
      fields.map((n) => [n.role, n.name]),
      [
        ['entry', 'Username'],
        ['password text', 'Password'],
      ],
    );
    for (const button of nodes(typed, (n) => isButton(n) && showing(n))) {
      assert.ok(button.name.trim(), `a ${button.role} without a name on the typed screen`);
    }
    await waitUntil(
      async () => nodes(tree(pid), (n) => n.role === 'entry' && n.states.includes('focused')).length === 1,
      'the focus in the username field',
      20_000,
    );
    keyboard.type('zoe.nguyen');
    keyboard.press('Tab');
    keyboard.type(password);
    keyboard.press('Return');
    await kiosk.session.waitFor(
      'return ["greeting", "signed_in"].includes(document.body.dataset.screen);',
      'signed in by typing',
      20_000,
    );
    const view = await kiosk.session.executeAsync(
      'const done = arguments[0]; window.__TAURI__.core.invoke("get_view").then(done, (e) => done({error: String(e)}));',
    );
    assert.equal(view.user?.first_name, 'Zoe');
  });
});

describe("the kiosk window after its web process dies", { timeout: 180_000 }, () => {
  let portal;
  let kiosk;
  let pid;

  before(async () => {
    portal = await startPortal();
    kiosk = await launch('page-crash', portal.enrollEnv());
    await waitForScreen(kiosk.session, 'scanning', 60_000);
    pid = kiosk.pid;
    assert.ok(pid, 'the kiosk process');
  });

  after(async () => {
    await kiosk?.close();
    portal?.stop();
  });

  // A crash in WebKit, or the out-of-memory killer on a small school computer, takes the page
  // and leaves an empty window nobody can sign in at. The app loads the page again. Read through
  // AT-SPI, as WebKitWebDriver drops its session with the page.
  test('the page is loaded again: the scan screen is back and greets the next child aloud', async () => {
    await treeWith(pid, SCANNING_TITLE);
    const [windowProcess] = webProcesses(pid);
    assert.ok(windowProcess, 'the kiosk window has a web process');
    process.kill(windowProcess, 'SIGKILL');
    await waitUntil(
      async () => /web process ended; loading its page again view="kiosk window"/.test(kiosk.appLog()),
      'the app to say it loads the page again',
      10_000,
    );
    await treeWith(pid, SCANNING_TITLE);
    const [reloaded] = webProcesses(pid);
    assert.ok(reloaded && reloaded !== windowProcess, `a new web process: ${reloaded}`);

    const events = await watchEvents(pid);
    try {
      const badge = portal.badges[2];
      const greeting = greetingFor(badge);
      kiosk.showToCamera(readFileSync(badge));
      await events.waitFor((e) => liveAnnouncement(e, greeting), `"${greeting}" announced`);
    } finally {
      events.stop();
    }
  });
});
