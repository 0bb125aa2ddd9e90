// A test-only reverse proxy in front of the real portal, for probing the kiosk's portal view
// from outside: that view is an incognito WebKit context without automation, so WebDriver
// cannot switch into it.
//
// The proxy forwards everything untouched, except that into HTML answers it adds one script
// (and widens the CSP just enough for it: script, fetch and worker from its own origin). The
// script reports what the page can see (cookies, both storages, IndexedDB, Cache Storage,
// service workers, history length), plants markers of the child it belongs to, reports again,
// then polls the proxy for commands (go to a path, navigate elsewhere, click a link, open a
// window); it also offers an open redirect (`/__probe/redirect?to=URL`). The
// proxy also keeps every request's Cookie header and the session cookies the portal set.

import { createServer, request as httpRequest } from 'node:http';

const PROBE = '/__probe';

/** The page script; `label` names the child whose view it was served to. */
function probeScript(label) {
  return `(() => {
  const label = ${JSON.stringify(label)};
  const page = Math.random().toString(36).slice(2);
  const marker = 'probe_' + label;
  const post = (body) => fetch('${PROBE}/report?label=' + label, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ label, page, href: location.href, origin: location.origin, ...body }),
  });
  const settle = (promise) => Promise.resolve().then(() => promise).then(
    (value) => ({ value }), (error) => ({ error: String(error) }));
  const entries = (storage) => Object.fromEntries(Object.keys(storage).map((k) => [k, storage.getItem(k)]));
  async function seen() {
    return {
      cookie: document.cookie,
      localStorage: entries(localStorage),
      sessionStorage: entries(sessionStorage),
      historyLength: history.length,
      indexedDB: await settle(indexedDB.databases().then((dbs) => dbs.map((d) => d.name).sort())),
      caches: await settle(self.caches ? caches.keys() : Promise.reject(new Error('no Cache Storage'))),
      serviceWorkers: await settle(navigator.serviceWorker
        ? navigator.serviceWorker.getRegistrations().then((rs) => rs.map((r) => r.scope))
        : Promise.reject(new Error('no service workers'))),
    };
  }
  async function plant() {
    document.cookie = marker + '=' + label + '; path=/; max-age=3600; samesite=lax';
    localStorage.setItem(marker, label);
    sessionStorage.setItem(marker, label);
    const planted = { cookie: true, localStorage: true, sessionStorage: true };
    planted.indexedDB = await settle(new Promise((ok, fail) => {
      const open = indexedDB.open(marker, 1);
      open.onupgradeneeded = () => open.result.createObjectStore('marks');
      open.onsuccess = () => {
        const tx = open.result.transaction('marks', 'readwrite');
        tx.objectStore('marks').put(label, 'label');
        tx.oncomplete = () => { open.result.close(); ok(true); };
        tx.onerror = () => fail(tx.error);
      };
      open.onerror = () => fail(open.error);
    }));
    planted.caches = await settle(self.caches
      ? caches.open(marker).then((c) => c.put('${PROBE}/mark/' + label, new Response(label))).then(() => true)
      : Promise.reject(new Error('no Cache Storage')));
    planted.serviceWorker = await settle(navigator.serviceWorker
      ? navigator.serviceWorker
        .register('${PROBE}/sw.js?label=' + label, { scope: '${PROBE}/sw-' + label + '/' })
        .then(() => true)
      : Promise.reject(new Error('no service workers')));
    return planted;
  }
  const commands = {
    go: (c) => { location.href = c.path; },
    navigate: (c) => { location.href = c.url; },
    // What a child's tap on a link does (a script's click on a same-window link navigates
    // like a real one; only pop-ups need a real click, see \`arm\`). The click comes after
    // the report (\`after\`): the navigation it starts would cut the report off.
    click: (c) => {
      const target = document.querySelector(c.selector);
      return { clicked: target !== null, after: () => target?.click() };
    },
    open: (c) => ({ opened: window.open(c.url, '_blank') !== null }),
    // WebKit blocks pop-ups a script opens by itself, so the kiosk's own refusal is reached
    // only by a real click: this covers the page with a link (or a button calling
    // window.open) for the test to click through the X server.
    arm: (c) => {
      const cover = document.createElement(c.how === 'link' ? 'a' : 'button');
      cover.style.cssText = 'position:fixed;left:0;top:0;width:100vw;height:100vh;z-index:2147483647;'
        + 'opacity:0.5;background:#c00;border:0';
      cover.textContent = c.how;
      if (c.how === 'link') {
        cover.href = c.url;
        cover.target = '_blank';
      }
      cover.addEventListener('click', () => {
        cover.remove();
        const result = c.how === 'open' ? { opened: window.open(c.url, '_blank') !== null } : {};
        seen().then((s) => post({ phase: 'clicked', command: c.id, result, seen: s }));
      });
      document.body.append(cover);
      return {};
    },
    report: () => ({}),
  };
  async function poll() {
    try {
      const answer = await fetch('${PROBE}/poll?label=' + label + '&page=' + page);
      const command = await answer.json();
      if (command) {
        const { after, ...result } = commands[command.type](command) ?? {};
        await post({ phase: 'command', command: command.id, result, seen: await seen() });
        if (after) after();
      }
    } catch (error) {
      // A poll cut short by a navigation; the next page polls again.
    }
    setTimeout(poll, 200);
  }
  (async () => {
    await post({ phase: 'loaded', seen: await seen() });
    const planted = await plant();
    await post({ phase: 'planted', planted, seen: await seen() });
    poll();
  })();
})();
`;
}

function probeWorker() {
  return "self.addEventListener('install', () => self.skipWaiting());\n";
}

/** The cookie names and values in a Cookie request header. */
function parseCookies(header) {
  const out = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

function readBody(stream) {
  return new Promise((ok, fail) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => ok(Buffer.concat(chunks)));
    stream.on('error', fail);
  });
}

async function waitUntil(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listen(server) {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server.address().port));
  });
}

/**
 * Starts the probing proxy on 127.0.0.1. Its `url` is what the kiosk and the portal's
 * `--public-url` should use; `forwardTo(portalUrl)` points it at the real portal.
 */
export async function startProbe() {
  let target;
  let label = 'nobody';
  let nextId = 1;
  const pending = new Map();
  const probe = {
    url: '',
    /**
     * Every request: `{n, method, path, cookies, label, from}`: the path without its query,
     * the child expected when it came, and for the probe's own requests the child whose
     * view's script sent it.
     */
    requests: [],
    /** Every report from a probe script, in arrival order. */
    reports: [],
    /** Session cookie values the portal set: `{label, name, value}`. */
    sessionCookies: [],
    forwardTo(url) {
      target = new URL(url);
    },
    /** Names the child whose view the next pages are served to. */
    expect(child) {
      label = child;
    },
    /** Queues a command for `child`'s view; returns its id (see `reportFor`). */
    command(child, command) {
      const id = nextId++;
      if (!pending.has(child)) pending.set(child, []);
      pending.get(child).push({ ...command, id });
      return id;
    },
    /** Waits for a report matching `match` and returns it. */
    waitForReport(match, what, timeoutMs = 20_000) {
      return waitUntil(() => probe.reports.find(match), what, timeoutMs);
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://probe');
    const record = {
      n: probe.requests.length,
      method: req.method,
      path: url.pathname,
      cookies: parseCookies(req.headers.cookie),
      label,
      from: url.pathname.startsWith(`${PROBE}/`) ? url.searchParams.get('label') : null,
    };
    probe.requests.push(record);
    try {
      if (url.pathname === `${PROBE}.js`) {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        res.end(probeScript(url.searchParams.get('label') ?? 'nobody'));
      } else if (url.pathname === `${PROBE}/sw.js`) {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        res.end(probeWorker());
      } else if (url.pathname === `${PROBE}/redirect`) {
        // An open redirect on an allowed origin, the way out of an allow-list a page would try.
        res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
      } else if (url.pathname === `${PROBE}/report`) {
        const report = JSON.parse((await readBody(req)).toString('utf8'));
        probe.reports.push({ ...report, at: Date.now(), request: record.n });
        res.writeHead(204).end();
      } else if (url.pathname === `${PROBE}/poll`) {
        const queue = pending.get(url.searchParams.get('label')) ?? [];
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(queue.shift() ?? null));
      } else {
        await forward(req, res, url);
      }
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`probe: ${error.message}`);
    }
  });

  async function forward(req, res, url) {
    if (!target) throw new Error('no portal to forward to');
    const body = await readBody(req);
    const servedTo = label;
    const answer = await new Promise((ok, fail) => {
      const out = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        ok,
      );
      out.on('error', fail);
      out.end(body);
    });
    const headers = { ...answer.headers };
    for (const cookie of [headers['set-cookie'] ?? []].flat()) {
      const [pair, ...flags] = cookie.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1).trim();
      if (flags.some((f) => /^\s*httponly\s*$/i.test(f)) && value) {
        probe.sessionCookies.push({ label: servedTo, name: pair.slice(0, at).trim(), value });
      }
    }
    let payload = await readBody(answer);
    if (String(headers['content-type'] ?? '').startsWith('text/html')) {
      const tag = `<script src="${PROBE}.js?label=${encodeURIComponent(servedTo)}"></script>`;
      const html = payload.toString('utf8');
      payload = Buffer.from(html.includes('</head>') ? html.replace('</head>', `${tag}</head>`) : tag + html);
      const csp = headers['content-security-policy'];
      if (csp) {
        const probeSources = "script-src 'self'; connect-src 'self'; worker-src 'self'";
        headers['content-security-policy'] = `${csp}; ${probeSources}`;
      }
    }
    delete headers['transfer-encoding'];
    headers['content-length'] = String(payload.length);
    res.writeHead(answer.statusCode, headers);
    res.end(payload);
  }

  const port = await listen(server);
  probe.url = `http://127.0.0.1:${port}`;
  return probe;
}

/** A server on another 127.0.0.1 port the portal view must never reach; counts requests. */
export async function startForbidden() {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, path: new URL(req.url, 'http://x').pathname });
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>forbidden</title>');
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
