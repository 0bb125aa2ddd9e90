// Starts the real kiosk app under tauri-driver (which drives WebKitWebDriver), with a private
// profile in a temp dir and the simulated camera, and tears everything down by PID.
//
// Expects to run under Xvfb and a D-Bus session (scripts/test-e2e arranges both).

import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { Session } from './webdriver.mjs';
import { screenPng, screenRgb } from './xscreen.mjs';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
export const APP = process.env.BADGEIN_KIOSK_BIN ?? join(TARGET, 'debug', 'badgein-kiosk');
export const SCREENSHOTS = join(TARGET, 'e2e-screenshots');
/** Each kiosk's log, kept after its temp dir is gone (`<launch name>.log`). */
export const LOGS = join(TARGET, 'e2e-logs');

/**
 * Removes a test's temp dir, unless BADGEIN_E2E_KEEP is set (to look inside after a run).
 * WebKit's helper processes may still be writing caches as they exit, hence the retries; a
 * leftover dir is reported, not a failure.
 */
export function removeTemp(dir) {
  if (process.env.BADGEIN_E2E_KEEP) return;
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch (error) {
    console.warn(`left ${dir}: ${error.message}`);
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Waits until `check()` resolves true (a throw counts as not yet), at most `timeoutMs`. */
export async function waitUntil(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function shellQuote(text) {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** The fields of /proc/`pid`/stat after the command name: state, ppid, ...; throws if gone. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Whether process `pid` runs: it exists and is not a zombie waiting for its parent. */
function running(pid) {
  try {
    return statFields(pid)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every descendant PID of `pid`, deepest first, read from /proc. */
export function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(entry)[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [];
  const walk = (p) => {
    for (const child of children.get(p) ?? []) {
      walk(child);
      out.push(child);
    }
  };
  walk(pid);
  return out;
}

/** The PID of the kiosk app among `pid`'s descendants, if it runs. */
export function appPid(driverPid) {
  return descendants(driverPid).find(isKioskApp);
}

/**
 * The running WebKit web processes of app `pid`, oldest first (the kiosk window's is the first:
 * the window's view is made at start, a portal view only when a child signs in).
 */
export function webProcesses(pid) {
  const started = (p) => Number(statFields(p)[19]);
  const web = [];
  for (const p of descendants(pid)) {
    try {
      if (command(p) === 'WebKitWebProces' && running(p)) web.push([started(p), p]);
    } catch {
      // The process ended while we looked.
    }
  }
  return web.sort((a, b) => a[0] - b[0]).map(([, p]) => p);
}

/** Whether process `pid` is a kiosk app (a pid once the app's may since be another's). */
function isKioskApp(pid) {
  try {
    return command(pid) === 'badgein-kiosk';
  } catch {
    return false;
  }
}

/** Process `pid`'s command name, cut to 15 bytes as the kernel keeps it; throws if gone. */
function command(pid) {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

/**
 * Launches tauri-driver and a WebDriver session on the kiosk app. `env` is added to the app's
 * environment (through tauri-driver and WebKitWebDriver, which pass theirs on); `app` is the
 * kiosk binary (default APP: the build's, or BADGEIN_KIOSK_BIN), e.g. one unpacked from a
 * package.
 */
export async function launch(name, env = {}, { app = APP } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `badgein-e2e-${name}-`));
  for (const sub of ['data', 'cache', 'config', 'state', 'runtime']) mkdirSync(join(dir, sub), { mode: 0o700 });
  for (let attempt = 1; ; attempt++) {
    const kiosk = await launchIn(dir, name, env, app);
    const dropped = await uiStarted(kiosk.session);
    if (!dropped || attempt === LAUNCH_ATTEMPTS) return kiosk;
    // A guard, not seen to fire since `stop` kills the app by its pid and waits for it to go.
    // Before, about one start in three right after the accessibility suite lost its session as
    // the page started ("session deleted because of page crash or hang": the new window's web
    // process gone, the app running on), the previous kiosk not yet gone; never with the window
    // composited instead of painted on the CPU (platform::linux::lighten_webview). Should it
    // fire, the start is made again in the same profile (enrolled already), and said.
    console.error(`# ${name}: the WebDriver session was dropped as the page started (${dropped}); launching again`);
    await kiosk.kill();
  }
}

/** Starts of one kiosk when its WebDriver session is dropped as its page starts (see `launch`). */
const LAUNCH_ATTEMPTS = 3;

/** Waits up to 20 s for the kiosk UI's first screen; the error if the session was dropped. */
async function uiStarted(session) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if (await session.execute('return Boolean(document.body?.dataset.screen);')) return null;
    } catch (error) {
      if (error.error === 'invalid session id') return error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Slow, not dropped: the test's own waits report it.
  return null;
}

/** One start of the app in the profile `dir` (see `launch`). */
async function launchIn(dir, name, env, app) {
  const camera = join(dir, 'camera.png');
  const [port, nativePort] = [await freePort(), await freePort()];
  const log = openSync(join(dir, 'tauri-driver.log'), 'a');
  // WebKitWebDriver drops the app's stdout, where its tracing log goes: a wrapper keeps both
  // streams in app.log (exec, so the process is still the kiosk app itself).
  const appLog = join(dir, 'app.log');
  const wrapper = join(dir, 'badgein-kiosk');
  const script = `#!/bin/sh\nexec ${shellQuote(app)} "$@" >>${shellQuote(appLog)} 2>&1\n`;
  writeFileSync(wrapper, script, { mode: 0o700 });
  const driver = spawn(
    process.env.TAURI_DRIVER ?? 'tauri-driver',
    ['--port', String(port), '--native-port', String(nativePort)],
    {
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        XDG_DATA_HOME: join(dir, 'data'),
        XDG_CACHE_HOME: join(dir, 'cache'),
        XDG_CONFIG_HOME: join(dir, 'config'),
        // The kiosk's log files (src-tauri/src/logging) land in state/badgein/logs.
        XDG_STATE_HOME: join(dir, 'state'),
        BADGEIN_CAMERA: `still:${camera}`,
        RUST_LOG: 'info',
        ...env,
      },
    },
  );
  const base = `http://127.0.0.1:${port}`;
  // The app, once the session has started it. Killed by its own pid too, and waited for: once
  // the session ends, WebKitWebDriver may exit before it and leave it to init, out of the
  // driver's tree, and an app still going as the next test's started was followed by that
  // start losing its session (see `launch`).
  let appProcess = null;
  const stop = async () => {
    const own = appProcess && isKioskApp(appProcess) ? [appProcess] : [];
    const pids = [...descendants(driver.pid), driver.pid, ...own];
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (own.length) await waitUntil(async () => !running(appProcess), 'the kiosk app to exit', 10_000);
  };
  try {
    await waitUntil(async () => (await fetch(`${base}/status`)).ok, 'tauri-driver', 20_000);
    const session = await Session.start(base, wrapper);
    appProcess = appPid(driver.pid) ?? null;
    const kill = async () => {
      await session.end();
      await stop();
    };
    return {
      dir,
      session,
      driverPid: driver.pid,
      /** The kiosk app's own pid (null if it was not found under the driver). */
      pid: appProcess,
      /** The app's log so far (its tracing output and stderr), without colour codes. */
      appLog() {
        try {
          return readFileSync(appLog, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
        } catch {
          return '';
        }
      },
      /** Puts `png` (a Buffer) in front of the simulated camera, or takes it away (null). */
      showToCamera(png) {
        if (png) writeFileSync(camera, png);
        else writeFileSync(camera, Buffer.alloc(0));
      },
      /** Stops the driver and the app, keeping the profile. */
      kill,
      async close() {
        await kill();
        mkdirSync(LOGS, { recursive: true });
        try {
          copyFileSync(appLog, join(LOGS, `${name}.log`));
        } catch {
          // The app never wrote a line.
        }
        removeTemp(dir);
      },
    };
  } catch (error) {
    await stop();
    const driverLog = readFileSync(join(dir, 'tauri-driver.log'), 'utf8');
    let app = '';
    try {
      app = readFileSync(appLog, 'utf8');
    } catch {
      // The app never started.
    }
    removeTemp(dir);
    throw new Error(
      `${error.message}\n--- tauri-driver log ---\n${driverLog.slice(-4000)}\n--- app log ---\n${app.slice(-4000)}`,
    );
  }
}

/**
 * Saves target/e2e-screenshots/<name>.png: the whole X screen (the kiosk window and the portal
 * view over it, as a child sees them) when Xvfb keeps its framebuffer, else the kiosk UI from
 * WebDriver. The screen first because the kiosk window paints on the CPU
 * (src-tauri/src/platform/linux.rs), and WebKitWebDriver's screenshot of such a view never
 * returns while another window (the portal view) covers it.
 */
export async function screenshot(session, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const picture = screenPng() ?? (await session.screenshot());
  writeFileSync(join(SCREENSHOTS, `${name}.png`), picture);
}

/**
 * Waits until the X screen satisfies `check({width, height, pixel(x, y) -> [r, g, b]})`: what
 * the portal view shows is seen only there. Without a framebuffer file (no Xvfb -fbdir) there
 * is nothing to wait for.
 */
export async function waitForPaint(check, what, timeoutMs = 20_000) {
  if (!process.env.BADGEIN_E2E_FBDIR) return;
  await waitUntil(async () => {
    const { width, height, rgb } = screenRgb();
    const pixel = (x, y) => [...rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];
    return check({ width, height, pixel });
  }, what, timeoutMs);
}

/** The kiosk's bar above the portal view (BAR_HEIGHT in src-tauri/src/portal_view.rs). */
export const BAR_HEIGHT = 72;

/** Waits until the portal view has painted a page: something below the bar is not plain white. */
export function portalPainted() {
  return waitForPaint(({ width, height, pixel }) => {
    for (let y = BAR_HEIGHT + 8; y < height; y += 16) {
      for (let x = 0; x < width; x += 16) {
        if (pixel(x, y).some((c) => c !== 255)) return true;
      }
    }
    return false;
  }, 'the portal page on screen');
}

/**
 * A real left click at (x, y) on the X screen, through XTEST (xdotool): input the pages get
 * as a user's, for the portal view WebDriver cannot reach.
 */
export function clickScreen(x, y) {
  execFileSync('xdotool', ['mousemove', String(x), String(y), 'click', '1']);
}

/** Runs an X client tool (wmctrl, xdotool) to the end, bounded, and returns what it printed. */
function xtool(command, args) {
  return execFileSync(command, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A window manager on the X screen, as a kiosk's desktop session has: without one nothing turns
 * Alt+F4 or a taskbar's "close" into a close request, so the close guard would never be asked.
 * Openbox with a config of its own that binds only Alt+F4 to Close (not the distribution's
 * defaults, which may change). Waits until it manages the screen (EWMH's supporting-WM check,
 * read by `wmctrl -m`); `stop()` ends it by PID.
 */
export async function startWindowManager() {
  const dir = mkdtempSync(join(tmpdir(), 'badgein-e2e-wm-'));
  const config = join(dir, 'rc.xml');
  writeFileSync(
    config,
    `<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <keyboard>
    <keybind key="A-F4"><action name="Close"/></keybind>
  </keyboard>
</openbox_config>
`,
  );
  const log = openSync(join(dir, 'openbox.log'), 'a');
  const wm = spawn('openbox', ['--sm-disable', '--config-file', config], { stdio: ['ignore', log, log] });
  let exited = false;
  wm.on('exit', () => {
    exited = true;
  });
  const stop = () => {
    if (!exited) wm.kill('SIGKILL');
    removeTemp(dir);
  };
  try {
    await waitUntil(async () => !exited && /^Name: Openbox$/m.test(xtool('wmctrl', ['-m'])), 'openbox', 20_000);
  } catch (error) {
    const said = readFileSync(join(dir, 'openbox.log'), 'utf8');
    stop();
    throw new Error(`${error.message}${exited ? ' (it exited)' : ''}\n--- openbox log ---\n${said}`);
  }
  return { stop };
}

/** The X window ids of `pid`'s top-level windows titled `title`, as the window manager lists them. */
export function managedWindows(pid, title) {
  return xtool('wmctrl', ['-l', '-p'])
    .split('\n')
    .map((line) => line.match(/^(0x[0-9a-f]+)\s+\S+\s+(\d+)\s+\S+\s(.*)$/))
    .filter((m) => m && Number(m[2]) === pid && m[3] === title)
    .map((m) => m[1]);
}

/**
 * Alt+F4 typed on the real keyboard (XTEST) into window `id`, made the active one first. Openbox
 * closes the window that has the keyboard focus, and on a loaded machine the focus can follow
 * `windowactivate --sync` late (the keystroke then went nowhere): so it waits for the focus.
 */
export async function pressAltF4(id) {
  await focusWindow(id);
  xtool('xdotool', ['key', 'alt+F4']);
}

/** Makes window `id` the active one and waits until it has the keyboard focus. */
export async function focusWindow(id) {
  xtool('xdotool', ['windowactivate', '--sync', id]);
  await waitUntil(
    async () => Number(xtool('xdotool', ['getwindowfocus']).trim()) === Number(id),
    'the window to have the keyboard focus',
    10_000,
  );
}

/**
 * The real keyboard (XTEST), into whatever has the focus: `keys` are xdotool key names
 * (`Tab`, `Return`, `shift+Tab`), `text` is typed character by character.
 */
export const keyboard = {
  press: (...keys) => xtool('xdotool', ['key', '--delay', '50', ...keys]),
  type: (text) => xtool('xdotool', ['type', '--delay', '20', text]),
};

/** A desktop's "close this window" (EWMH _NET_CLOSE_WINDOW: the WM sends WM_DELETE_WINDOW). */
export function askToClose(id) {
  xtool('wmctrl', ['-i', '-c', id]);
}

/**
 * The window's commands as the UI calls them: `invoke(command, args)` answers `{value}` or
 * `{error}`; `waitForView(what, pred, ms)` polls `get_view` until `pred(view)` holds (within
 * `waitMs` unless told otherwise).
 */
export function commands(session, { waitMs = 20_000 } = {}) {
  const invoke = (command, args = {}) =>
    session.executeAsync(
      `const done = arguments[arguments.length - 1];
       window.__TAURI__.core.invoke(arguments[0], arguments[1]).then(
         (value) => done({ value: value ?? null }), (error) => done({ error }));`,
      command,
      args,
    );
  const waitForView = async (what, pred, ms = waitMs) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const { value: view } = await invoke('get_view');
      if (pred(view)) return view;
      if (Date.now() > deadline) throw new Error(`never saw ${what}: ${JSON.stringify(view)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { invoke, waitForView };
}

/** Waits until the UI shows `screen` (main.js sets body[data-screen]). */
export function waitForScreen(session, screen, timeoutMs = 20_000) {
  return session.waitFor(
    'return document.body.dataset.screen === arguments[0];',
    `the ${screen} screen`,
    timeoutMs,
    screen,
  );
}

export const PORTAL_BIN = process.env.BADGEIN_PORTAL_BIN ?? join(TARGET, 'debug', 'badgein-portal');

/**
 * A fresh database in the PostgreSQL cluster at `clusterUrl` (scripts/postgres-for-tests): its
 * URL, and how to drop it.
 */
function postgresDatabase(clusterUrl) {
  const name = `badgein_e2e_${process.pid}_${Date.now()}`;
  psql(clusterUrl, `CREATE DATABASE ${name}`);
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => psql(clusterUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Runs one SQL statement on the PostgreSQL database at `url`; throws on an error. */
function psql(url, sql) {
  execFileSync('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'pipe' });
}

/**
 * A real portal on a free 127.0.0.1 port: `badgein-portal demo` (the demo school and one badge
 * PNG per student) then `serve`. `enrollmentCode()` prints a fresh single-use code. With
 * `publicUrl` (a proxy in front of it) the portal names that origin in its links and kiosks
 * enroll against it. Its database is SQLite in a temporary directory, or with `postgres` (a
 * cluster's URL) a fresh database there, dropped by `stop()`.
 */
export async function startPortal({ publicUrl, postgres } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'badgein-e2e-portal-'));
  const pg = postgres ? postgresDatabase(postgres) : undefined;
  // PostgreSQL keeps no key file beside the database: it is named.
  const dbArgs = pg ? ['--db', pg.url, '--key-file', join(dir, 'portal.kek')] : ['--db', join(dir, 'portal.db')];
  const badgesDir = join(dir, 'badges');
  const run = (args, input) =>
    execFileSync(PORTAL_BIN, [...dbArgs, ...args], { encoding: 'utf8', input }).trim();
  const firstCode = run(['demo', '--dir', badgesDir]);
  const badges = readdirSync(badgesDir).filter((f) => f.endsWith('.png')).sort().map((f) => join(badgesDir, f));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(join(dir, 'portal.log'), 'a');
  const publicArgs = publicUrl ? ['--public-url', publicUrl] : [];
  const server = spawn(PORTAL_BIN, [...dbArgs, 'serve', '--listen', `127.0.0.1:${port}`, ...publicArgs], {
    stdio: ['ignore', log, log],
  });
  const stop = () => {
    try {
      server.kill('SIGKILL');
    } catch {
      // Already gone.
    }
    try {
      pg?.drop();
    } catch (error) {
      // The throwaway cluster goes with the run; a database left in it is reported.
      console.error(`the e2e database was not dropped: ${error.message}`);
    }
    removeTemp(dir);
  };
  try {
    await waitUntil(async () => (await fetch(`${url}/login`)).ok, 'the portal', 20_000);
  } catch (error) {
    stop();
    throw error;
  }
  let unused = firstCode;
  return {
    url,
    dir,
    badges,
    /** A single-use enrollment code for the demo school. */
    enrollmentCode() {
      const code = unused ?? run(['kiosk', 'code', '--school', 'demo-school']);
      unused = undefined;
      return code;
    },
    /** What a kiosk needs to enroll itself at start. */
    enrollEnv() {
      return { BADGEIN_PORTAL_URL: publicUrl ?? url, BADGEIN_ENROLL_CODE: this.enrollmentCode() };
    },
    /** Runs a `badgein-portal` command on this portal's database; `input` is its stdin. */
    cli: run,
    /** Runs SQL on the portal's database (school settings no CLI command sets). */
    sql(statement) {
      if (pg) {
        psql(pg.url, statement);
      } else {
        execFileSync('sqlite3', [join(dir, 'portal.db'), statement], { encoding: 'utf8' });
      }
    },
    stop,
  };
}
