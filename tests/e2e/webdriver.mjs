// A small W3C WebDriver client over fetch: just what the kiosk tests use. Every request has a
// timeout, so a hung driver fails the test instead of hanging the run.

const ELEMENT = 'element-6066-11e4-a4d4-4165-5e9b7b5a2bf1';

export class WebDriverError extends Error {
  constructor(status, value) {
    super(`${value?.error ?? status}: ${value?.message ?? ''}`.trim());
    this.error = value?.error;
  }
}

async function call(base, method, path, body, timeoutMs = 30_000) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new WebDriverError(response.status, json.value);
  return json.value;
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Starts the app through tauri-driver at `base` (e.g. http://127.0.0.1:4444). */
  static async start(base, application, timeoutMs = 60_000) {
    const value = await call(
      base,
      'POST',
      '/session',
      {
        capabilities: {
          alwaysMatch: { browserName: 'wry', 'tauri:options': { application } },
        },
      },
      timeoutMs,
    );
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body, timeoutMs) {
    return call(this.base, method, `/session/${this.id}${path}`, body, timeoutMs);
  }

  /** Runs `script` (a function body) in the kiosk UI and returns its result. */
  execute(script, ...args) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Runs `script` whose last argument is a callback to call with the result. */
  executeAsync(script, ...args) {
    return this.cmd('POST', '/execute/async', { script, args });
  }

  /** Polls `script` until it returns a truthy value; returns that value or throws. */
  async waitFor(script, what, timeoutMs = 20_000, ...args) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        last = await this.execute(script, ...args);
        if (last) return last;
      } catch (error) {
        last = error;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async find(css) {
    const value = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return value[ELEMENT];
  }

  click(element) {
    return this.cmd('POST', `/element/${element}/click`, {});
  }

  /** A PNG of the kiosk window's UI, as a Buffer. */
  async screenshot() {
    return Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
  }

  windowHandles() {
    return this.cmd('GET', '/window/handles');
  }

  closeWindow() {
    return this.cmd('DELETE', '/window');
  }

  async end() {
    await call(this.base, 'DELETE', `/session/${this.id}`, undefined, 10_000).catch(() => {});
  }
}
