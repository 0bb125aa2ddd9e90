// Isolation end to end: the real kiosk app, a real portal, and a probing proxy between them
// (probe.mjs), because the portal view is an incognito WebKit view WebDriver cannot enter.
// Child A signs in, the probe in A's view plants markers everywhere a page can keep data, A
// leaves ("I'm done", a badge swap, or the idle timeout), child B signs in: B's view must see
// none of A's markers, start with the same history as a fresh view, and send none of A's
// cookies. A view that tries to leave the allow-list is refused and stays on the portal.
// Run by scripts/test-e2e; screenshots in $CARGO_TARGET_DIR/e2e-screenshots/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  clickScreen,
  launch,
  portalPainted,
  screenshot,
  startPortal,
  waitForPaint,
  waitForScreen,
  webProcesses,
} from './harness.mjs';
import { startForbidden, startProbe } from './probe.mjs';

/** A demo child: the badge PNG and the given name in its file name, the probe's label. */
function child(badge) {
  return { badge, name: basename(badge, '.png').split('-').pop() };
}

const getView = (session) =>
  session.executeAsync(
    'const done = arguments[0]; window.__TAURI__.core.invoke("get_view").then(done, (e) => done({error: String(e)}));',
  );

/** Waits until `predicate(view)` holds for the kiosk's current view; returns that view. */
async function waitForView(session, predicate, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await getView(session).catch((error) => ({ error: String(error) }));
    if (predicate(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what} (last view: ${JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How many lines of the app's log match `pattern`. */
function countLog(kiosk, pattern) {
  return kiosk.appLog().split('\n').filter((line) => pattern.test(line)).length;
}

/** Polls the app's log until more than `before` lines match `pattern`. */
async function waitForLog(kiosk, pattern, before, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (countLog(kiosk, pattern) <= before) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n--- app log ---\n${kiosk.appLog().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A portal behind the probe, and a server the portal view must never reach. */
async function startRig() {
  const probe = await startProbe();
  const forbidden = await startForbidden();
  let portal;
  try {
    portal = await startPortal({ publicUrl: probe.url });
  } catch (error) {
    probe.close();
    forbidden.close();
    throw error;
  }
  probe.forwardTo(portal.url);
  return {
    probe,
    forbidden,
    portal,
    stop() {
      portal.stop();
      probe.close();
      forbidden.close();
    },
  };
}

/**
 * Shows `who`'s badge and waits until the kiosk is signed in as them and their portal view has
 * reported twice from the dashboard (what it saw, then what it saw after planting markers);
 * the badge then goes back in the pocket.
 */
async function signIn(rig, kiosk, who) {
  const { probe } = rig;
  probe.expect(who.name);
  kiosk.showToCamera(readFileSync(who.badge));
  const view = await waitForView(
    kiosk.session,
    (v) => v.screen === 'signed_in' && v.user?.first_name?.toLowerCase() === who.name,
    `${who.name} signed in`,
  );
  kiosk.showToCamera(null);
  const loaded = await probe.waitForReport(
    (r) => r.label === who.name && r.phase === 'loaded',
    `${who.name}'s portal view to report`,
  );
  const planted = await probe.waitForReport(
    (r) => r.label === who.name && r.phase === 'planted' && r.page === loaded.page,
    `${who.name}'s markers planted`,
  );
  return { view, loaded, planted };
}

/** Which of the markers a probe for `name` plants show in a report's `seen`. */
function markersOf(name, seen) {
  const marker = `probe_${name}`;
  return {
    cookie: seen.cookie.split(';').some((c) => c.trim().startsWith(`${marker}=`)),
    localStorage: marker in seen.localStorage,
    sessionStorage: marker in seen.sessionStorage,
    indexedDB: (seen.indexedDB.value ?? []).includes(marker),
    caches: (seen.caches.value ?? []).includes(marker),
    serviceWorker: (seen.serviceWorkers.value ?? []).some((scope) => scope.includes(`/__probe/sw-${name}/`)),
  };
}

/** Which kinds of marker the probe managed to plant in this WebKit (the rest it reports why). */
function plantedKinds(report) {
  return Object.entries(report.planted)
    .filter(([, outcome]) => outcome === true || outcome.value === true)
    .map(([kind]) => kind);
}

/**
 * A's view, exercised before A leaves: it saw its own markers after planting, they survive a
 * second page load in the same view (with A's session cookie and marker cookie sent), and
 * history grows. Returns A's session cookie values.
 */
async function exerciseA(rig, a, first) {
  const { probe } = rig;
  const kinds = plantedKinds(first.planted);
  const missing = Object.entries(first.planted.planted).filter(([k]) => !kinds.includes(k));
  console.log(`${a.name}: planted ${kinds.join(', ')}; not: ${JSON.stringify(Object.fromEntries(missing))}`);
  for (const kind of ['cookie', 'localStorage', 'sessionStorage', 'indexedDB']) {
    assert.ok(kinds.includes(kind), `${kind} marker planted: ${JSON.stringify(first.planted)}`);
  }
  const visible = markersOf(a.name, first.planted.seen);
  for (const kind of kinds) assert.ok(visible[kind], `A sees its own ${kind} marker`);

  const id = probe.command(a.name, { type: 'go', path: '/?again' });
  const again = await probe.waitForReport(
    (r) => r.label === a.name && r.phase === 'loaded' && r.page !== first.loaded.page,
    `${a.name}'s second page (command ${id})`,
  );
  const persisted = markersOf(a.name, again.seen);
  for (const kind of kinds) {
    assert.ok(persisted[kind], `A's ${kind} marker survives a page load in A's view`);
  }
  assert.ok(
    again.seen.historyLength > first.loaded.seen.historyLength,
    `history grows in A's view (${first.loaded.seen.historyLength} -> ${again.seen.historyLength})`,
  );

  const sessions = probe.sessionCookies.filter((c) => c.label === a.name);
  assert.ok(sessions.length > 0, `the portal set ${a.name}'s session cookie`);
  const sent = probe.requests.filter((r) => sessions.some((s) => r.cookies[s.name] === s.value));
  assert.ok(sent.length > 0, `A's view sent A's session cookie`);
  assert.ok(
    probe.requests.some((r) => r.cookies[`probe_${a.name}`] === a.name),
    `A's view sent A's marker cookie`,
  );
  return sessions;
}

/**
 * B's view after A left: a fresh view's first report (compared with A's own first report, which
 * also came from a fresh view), no A marker anywhere, none of A's cookies in any request since
 * `since` (the request index when A's view had to be gone).
 */
function assertNothingOfA(rig, a, b, firstOfA, firstOfB, sessionsOfA, since) {
  const seenByB = firstOfB.loaded.seen;
  const leaked = Object.entries(markersOf(a.name, seenByB)).filter(([, found]) => found);
  assert.deepEqual(leaked, [], `B's view sees A's markers: ${JSON.stringify(seenByB)}`);
  assert.equal(firstOfB.loaded.origin, rig.probe.url);
  // Nothing at all (not only nothing of A's): the same as A's own fresh view.
  const fresh = firstOfA.loaded.seen;
  assert.deepEqual(seenByB, fresh, `B's first report equals a fresh view's`);

  const later = rig.probe.requests.slice(since);
  assert.ok(later.some((r) => r.from === b.name), "B's view polled the probe");
  assert.deepEqual(
    later.filter((r) => r.from === a.name).map((r) => r.path),
    [],
    "A's view is gone: no poll or report from it after A left",
  );
  for (const request of later) {
    const where = `${request.method} ${request.path}`;
    for (const s of sessionsOfA) {
      assert.notEqual(request.cookies[s.name], s.value, `A's session cookie in a later ${where}`);
    }
    assert.equal(request.cookies[`probe_${a.name}`], undefined, `A's marker cookie in a later ${where}`);
  }
  // And B's view works: it sees its own markers.
  for (const kind of plantedKinds(firstOfB.planted)) {
    assert.ok(markersOf(b.name, firstOfB.planted.seen)[kind], `B sees its own ${kind} marker`);
  }
}

/** Presses "I'm done" in the kiosk's top bar and waits for the scanning screen. */
async function imDone(session) {
  await session.execute("document.querySelector('button.button-secondary.button-bar').click();");
  await waitForScreen(session, 'scanning', 20_000);
}

describe('the portal view keeps children apart', { timeout: 300_000 }, () => {
  let rig;
  let kiosk;
  let children;

  before(async () => {
    rig = await startRig();
    kiosk = await launch('isolation', rig.portal.enrollEnv());
    children = rig.portal.badges.map(child);
    assert.ok(children.length >= 5, `demo badges: ${rig.portal.badges}`);
    await waitForScreen(kiosk.session, 'scanning', 60_000);
  });

  after(async () => {
    await kiosk?.close();
    rig?.stop();
  });

  test('A says "I\'m done", then B sees nothing of A', async () => {
    const [a, b] = [children[0], children[1]];
    const { session } = kiosk;
    const firstOfA = await signIn(rig, kiosk, a);
    const sessionsOfA = await exerciseA(rig, a, firstOfA);
    await portalPainted();
    await screenshot(session, 'isolation-done-1-a');

    await imDone(session);
    const since = rig.probe.requests.length;
    await screenshot(session, 'isolation-done-2-signed-out');

    const firstOfB = await signIn(rig, kiosk, b);
    await portalPainted();
    await screenshot(session, 'isolation-done-3-b');
    assertNothingOfA(rig, a, b, firstOfA, firstOfB, sessionsOfA, since);
    await imDone(session);
  });

  test('a badge swap: B shows a badge while A is signed in, and sees nothing of A', async () => {
    const [a, b] = [children[2], children[3]];
    const { session } = kiosk;
    const firstOfA = await signIn(rig, kiosk, a);
    const sessionsOfA = await exerciseA(rig, a, firstOfA);
    await portalPainted();
    await screenshot(session, 'isolation-swap-1-a');

    // B's badge while A is still signed in: the kiosk signs A out and B in.
    const firstOfB = await signIn(rig, kiosk, b);
    await portalPainted();
    await screenshot(session, 'isolation-swap-2-b');
    // A's view had to be gone once B's launch URL was asked for.
    const since = rig.probe.requests.findIndex((r) => r.path === '/launch' && r.label === b.name);
    assert.ok(since >= 0, "B's launch request");
    assertNothingOfA(rig, a, b, firstOfA, firstOfB, sessionsOfA, since);
    await imDone(session);
  });

  test('the portal view cannot leave the allow-list or open windows', async () => {
    const a = children[4];
    const { session } = kiosk;
    const { probe, forbidden } = rig;
    const first = await signIn(rig, kiosk, a);

    const refusedNav = /portal navigation refused/;
    const navBefore = countLog(kiosk, refusedNav);
    probe.command(a.name, { type: 'navigate', url: `${forbidden.url}/navigated` });
    await waitForLog(kiosk, refusedNav, navBefore, 'the refused navigation in the app log');
    const navLine = kiosk.appLog().split('\n').filter((l) => refusedNav.test(l)).pop();
    assert.ok(navLine.includes(forbidden.url), `the log names the refused origin: ${navLine}`);
    assert.ok(!navLine.includes('/navigated'), 'the log keeps paths out');

    // Nor through a redirect from an allowed origin.
    const beforeRedirect = countLog(kiosk, refusedNav);
    const redirect = `/__probe/redirect?to=${encodeURIComponent(`${forbidden.url}/redirected`)}`;
    probe.command(a.name, { type: 'go', path: redirect });
    await waitForLog(kiosk, refusedNav, beforeRedirect, 'the refused redirect in the app log');
    const afterRedirectId = probe.command(a.name, { type: 'report' });
    const afterRedirect = await probe.waitForReport(
      (r) => r.command === afterRedirectId,
      'a report after the refused redirect',
    );
    assert.equal(afterRedirect.origin, probe.url);

    // A script cannot open a window by itself (WebKit's pop-up blocking)...
    const openId = probe.command(a.name, { type: 'open', url: `${forbidden.url}/opened-by-script` });
    const opened = await probe.waitForReport((r) => r.command === openId, 'the window.open outcome');
    assert.equal(opened.result.opened, false, 'window.open without a click gives no window');

    // ...and with a real click (through the X server) on a target=_blank link or a button
    // calling window.open, the kiosk refuses the new window.
    const refusedOpen = /portal tried to open a window: refused/;
    for (const how of ['link', 'open']) {
      const before = countLog(kiosk, refusedOpen);
      const armId = probe.command(a.name, { type: 'arm', how, url: `${forbidden.url}/${how}` });
      await probe.waitForReport((r) => r.command === armId && r.phase === 'command', `the ${how} cover`);
      // Clicked once it is on screen, so the click cannot land before the cover is there.
      // (Away from the pointer, which is in the framebuffer too.)
      await waitForPaint(({ pixel }) => {
        const [r, g] = pixel(1000, 600);
        return r > g + 60;
      }, `the ${how} cover on screen`);
      await screenshot(session, `isolation-refused-${how}-armed`);
      clickScreen(640, 400);
      const clicked = await probe.waitForReport(
        (r) => r.command === armId && r.phase === 'clicked',
        `the ${how} click`,
      );
      await waitForLog(kiosk, refusedOpen, before, `the refused ${how} window in the app log`);
      if (how === 'open') assert.equal(clicked.result.opened, false, 'a clicked window.open gives no window');
    }
    const openLine = kiosk.appLog().split('\n').filter((l) => refusedOpen.test(l)).pop();
    assert.match(openLine, /allowed_origin=false/, `the log says the origin was not allowed: ${openLine}`);

    // Still the same page on the portal's origin, still alive and answering.
    const reportId = probe.command(a.name, { type: 'report' });
    const still = await probe.waitForReport((r) => r.command === reportId, 'a report after both attempts');
    assert.equal(still.page, first.loaded.page);
    assert.equal(still.origin, probe.url);
    assert.deepEqual(forbidden.requests, [], 'the forbidden server was never reached');
    await screenshot(session, 'isolation-refused');
    const view = await getView(session);
    assert.equal(view.screen, 'signed_in');
    await imDone(session);
  });

  test("a portal page whose web process dies is loaded again, the child still signed in", async () => {
    const a = children[5];
    assert.ok(a, `a sixth demo badge: ${rig.portal.badges}`);
    const { session } = kiosk;
    const { probe } = rig;
    const first = await signIn(rig, kiosk, a);
    // The newest web process is the portal view's (the kiosk window's is the oldest; those of
    // earlier children's views are gone or going).
    const web = webProcesses(kiosk.pid);
    assert.ok(web.length >= 2, `the kiosk window's and the portal view's web processes: ${web}`);
    const since = probe.requests.length;
    const reloaded = /web process ended; loading its page again view="portal view"/;
    process.kill(web[web.length - 1], 'SIGKILL');
    await waitForLog(kiosk, reloaded, 0, 'the app to say it loads the portal page again');

    const again = await probe.waitForReport(
      (r) => r.label === a.name && r.phase === 'loaded' && r.page !== first.loaded.page,
      `${a.name}'s portal page loaded again`,
    );
    assert.equal(again.origin, probe.url);
    assert.equal(again.href, first.loaded.href, 'the same page as before');
    // Still A's session: the page's request carried A's session cookie (kept by the network
    // process, which the crash did not touch), and the kiosk is still signed in as A.
    const sessions = probe.sessionCookies.filter((c) => c.label === a.name);
    const withSession = probe.requests
      .slice(since)
      .filter((r) => sessions.some((s) => r.cookies[s.name] === s.value));
    assert.ok(withSession.length > 0, `a request with ${a.name}'s session cookie after the crash`);
    await portalPainted();
    await screenshot(session, 'isolation-portal-reloaded');
    const view = await getView(session);
    assert.equal(view.screen, 'signed_in');
    assert.equal(view.user?.first_name?.toLowerCase(), a.name);
    await imDone(session);
  });
});

describe('the portal view keeps children apart across an idle timeout', { timeout: 300_000 }, () => {
  let rig;
  let kiosk;
  let children;

  before(async () => {
    rig = await startRig();
    // The school's shortest idle timeout (the kiosk clamps to 30 s), sent at enrollment.
    rig.portal.sql("UPDATE schools SET idle_timeout_secs = 30 WHERE id = 'demo-school';");
    kiosk = await launch('isolation-idle', rig.portal.enrollEnv());
    children = rig.portal.badges.map(child);
    await waitForScreen(kiosk.session, 'scanning', 60_000);
  });

  after(async () => {
    await kiosk?.close();
    rig?.stop();
  });

  test('A walks away, the idle timeout signs A out, B sees nothing of A', async () => {
    const [a, b] = [children[5], children[6]];
    const { session } = kiosk;
    const setup = await session.executeAsync(
      'const done = arguments[0]; window.__TAURI__.core.invoke("get_setup").then(done, (e) => done({error: e}));',
    );
    assert.equal(setup.idle_timeout_secs, 30, 'the school\'s idle timeout reached the kiosk at enrollment');
    const firstOfA = await signIn(rig, kiosk, a);
    const sessionsOfA = await exerciseA(rig, a, firstOfA);

    // The countdown appears after the idle timeout, then signs A out at its end.
    const countdown = await waitForView(
      session,
      (v) => v.screen === 'signed_in' && v.idle,
      'the idle countdown',
      60_000,
    );
    assert.ok(countdown.idle.seconds_left <= 30, JSON.stringify(countdown));
    await screenshot(session, 'isolation-idle-1-countdown');
    await waitForScreen(session, 'scanning', 60_000);
    const since = rig.probe.requests.length;
    await screenshot(session, 'isolation-idle-2-signed-out');

    const firstOfB = await signIn(rig, kiosk, b);
    await portalPainted();
    await screenshot(session, 'isolation-idle-3-b');
    assertNothingOfA(rig, a, b, firstOfA, firstOfB, sessionsOfA, since);
  });
});
