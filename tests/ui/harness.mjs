// Test harness: serves ui/ from 127.0.0.1:0 with a strict CSP, drives Debian's Chromium with
// playwright-core, and replaces the Rust shell with a recording mock of window.__TAURI__.
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const UI = join(ROOT, 'ui');
export const SCREENSHOTS = join(ROOT, 'target', 'ui-screenshots');

// The CSP the kiosk window is meant to run under: no inline script or style, no eval.
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data: https: http:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Serves ui/ on 127.0.0.1 at a free port; `close()` stops it. */
export async function startServer() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(UI, path === '/' ? 'index.html' : path));
    if (!file.startsWith(UI + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.BADGEIN_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
    ],
    timeout: 30_000,
  });
}

// Runs in the page before any of its scripts: the recording stand-in for Tauri.
function installMock(cfg) {
  const calls = [];
  const listeners = new Map();
  const channels = [];
  const mock = {
    calls,
    channels,
    view: cfg.view,
    answers: { get_setup: cfg.setup, list_cameras: cfg.cameras },
    failing: cfg.failing ?? {},
    csp: [],
    errors: [],
    tones: 0,
    audioStates: null,
    spoken: [],
    emit(event, payload) {
      for (const cb of listeners.get(event) ?? []) cb({ event, id: 1, payload });
    },
  };
  window.__mock = mock;
  document.addEventListener('securitypolicyviolation', (e) =>
    mock.csp.push(`${e.violatedDirective} ${e.blockedURI}`),
  );
  window.addEventListener('error', (e) => mock.errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => mock.errors.push(String(e.reason)));

  let nextChannel = 1;
  class Channel {
    constructor() {
      this.id = nextChannel++;
      this.onmessage = () => {};
      channels.push(this);
    }
    // How Tauri's own Channel crosses IPC.
    toJSON() {
      return `__CHANNEL__:${this.id}`;
    }
  }
  window.__TAURI__ = {
    core: {
      Channel,
      invoke(cmd, args) {
        calls.push({ cmd, args: args === undefined ? null : JSON.parse(JSON.stringify(args)) });
        if (Object.hasOwn(mock.failing, cmd)) return Promise.reject(mock.failing[cmd]);
        if (cmd === 'get_view') return Promise.resolve(mock.view);
        return Promise.resolve(mock.answers[cmd] ?? null);
      },
    },
    event: {
      listen(event, cb) {
        if (!listeners.has(event)) listeners.set(event, []);
        listeners.get(event).push(cb);
        return Promise.resolve(() => {
          listeners.set(event, listeners.get(event).filter((x) => x !== cb));
        });
      },
    },
  };
  // Count tones and sentences so tests can tell a sound or a voice was produced.
  const Audio = window.AudioContext;
  if (Audio) {
    const create = Audio.prototype.createOscillator;
    Audio.prototype.createOscillator = function createOscillator() {
      mock.tones += 1;
      if (!mock.audioStates) {
        // The page's one context: every state it passes through, in order.
        mock.audioStates = [this.state];
        this.addEventListener('statechange', () => mock.audioStates.push(this.state));
      }
      return create.call(this);
    };
  }
  if (window.speechSynthesis) {
    window.speechSynthesis.speak = (u) => mock.spoken.push({ text: u.text, lang: u.lang });
  }
}

export const SETUP = Object.freeze({
  portal_url: 'https://portal.example.org',
  kiosk_name: 'Room 12 reading corner',
  camera_index: 1,
  idle_timeout_secs: 120,
  language: 'en',
  sounds: true,
  pin_set: true,
  locked: [],
});

export const CAMERAS = Object.freeze([
  { index: 0, name: 'Integrated Camera' },
  { index: 1, name: 'USB Document Camera' },
]);

/** A fresh page showing `view`, with the mock installed. */
export async function openKiosk(browser, server, view, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.addInitScript(installMock, {
    view,
    setup: options.setup ?? SETUP,
    cameras: options.cameras ?? CAMERAS,
    failing: options.failing,
  });
  if (options.silent) {
    // A machine with no audio stack and no speech synthesis (WebKitGTK often has none).
    await page.addInitScript(() => {
      delete window.AudioContext;
      delete window.webkitAudioContext;
      delete window.speechSynthesis;
      delete window.SpeechSynthesisUtterance;
    });
  }
  await page.goto(server.url);
  await page.waitForSelector(`body[data-screen="${view.screen}"]`, { timeout: 10_000 });
  return {
    page,
    pageErrors,
    close: () => context.close(),
  };
}

/** Emits a `view` event and waits until the screen shows it. */
export async function pushView(page, view) {
  await page.evaluate((v) => {
    window.__mock.view = v;
    window.__mock.emit('view', v);
  }, view);
  await page.waitForSelector(`body[data-screen="${view.screen}"]`, { timeout: 5_000 });
}

export function calls(page) {
  return page.evaluate(() => window.__mock.calls);
}

/** Waits until the mock has received `count` calls of `cmd`; returns the last one's args. */
export async function waitForCall(page, cmd, count = 1) {
  await page.waitForFunction(
    ([c, n]) => window.__mock.calls.filter((x) => x.cmd === c).length >= n,
    [cmd, count],
    { timeout: 5_000 },
  );
  const all = (await calls(page)).filter((x) => x.cmd === cmd);
  return all[all.length - 1].args;
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}
