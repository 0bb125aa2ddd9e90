// The kiosk app's numbers (issue 4): scan-to-greeting latency over many sign-ins against a
// real local portal, CPU of the app's process tree while it scans an empty scene, its memory,
// and cold start. A benchmark: it prints a table and asserts nothing. Run by scripts/bench-kiosk
// (Xvfb, D-Bus, an unlocked keyring), which says how to pick the debug or release build.
//
// Times: the bench notes Date.now() just before it renames a badge PNG over the simulated
// camera's file (BADGEIN_CAMERA=still:<file>); in the page a MutationObserver notes Date.now()
// when body[data-screen] changes. Both read the same system clock on one machine.

import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { APP, PORTAL_BIN, appPid, descendants, launch, startPortal, waitForScreen } from '../harness.mjs';
import { cpuTicks, memory, processStart } from './proc.mjs';

const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 50);
const CPU_SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 20);
/** Every SWAP_EVERY-th sign-in replaces the child signed in by showing another badge. */
const SWAP_EVERY = 5;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted.at(-1) ?? NaN,
  };
}

/** The kiosk process and every process it started (WebKit's web and network processes). */
function appTree(kiosk) {
  const pid = appPid(kiosk.driverPid);
  if (!pid) throw new Error('the kiosk app is not running');
  return [pid, ...descendants(pid)];
}

const OBSERVE = `
  if (!window.__benchScreens) {
    window.__benchScreens = [];
    new MutationObserver(() => {
      window.__benchScreens.push([document.body.dataset.screen, Date.now()]);
    }).observe(document.body, { attributes: true, attributeFilter: ['data-screen'] });
  }
  window.__benchScreens.length = 0;
  return document.body.dataset.screen;
`;

/** Polls the page's screen log until `screen` shows; returns the log. */
async function screensUntil(session, screens, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await session.execute('return window.__benchScreens;');
    if (log.some(([s]) => screens.includes(s))) return log;
    if (Date.now() > deadline) throw new Error(`no ${screens} screen; saw ${JSON.stringify(log)}`);
    await sleep(20);
  }
}

/** Puts a badge in front of the simulated camera in one step (a rename), returning when. */
function showBadge(kiosk, png) {
  const camera = join(kiosk.dir, 'camera.png');
  const staged = join(kiosk.dir, 'camera.next.png');
  writeFileSync(staged, png);
  const at = Date.now();
  renameSync(staged, camera);
  return at;
}

function hideBadge(kiosk) {
  rmSync(join(kiosk.dir, 'camera.png'), { force: true });
}

/** `count` sign-ins, children in turn; returns the latencies in ms. */
async function signIns(kiosk, badgeFiles, count) {
  const { session } = kiosk;
  const badges = badgeFiles.map((path) => ({ name: basename(path, '.png'), png: readFileSync(path) }));
  const fresh = [];
  const swaps = [];
  const parts = { toSigningIn: [], toGreeting: [] };
  let signedIn = false;
  for (let i = 0; i < count; i++) {
    const badge = badges[i % badges.length];
    const swap = signedIn && i % SWAP_EVERY === 0;
    if (!swap && signedIn) {
      // "I'm done" in the top bar.
      await session.execute("document.querySelector('button.button-secondary.button-bar').click();");
      await waitForScreen(session, 'scanning', 20_000);
      signedIn = false;
    }
    await session.execute(OBSERVE);
    const shown = showBadge(kiosk, badge.png);
    const log = await screensUntil(session, ['greeting', 'signed_in', 'result']);
    const at = (screen) => log.find(([s]) => s === screen)?.[1];
    if (at('result') && !at('greeting')) throw new Error(`sign-in ${i} (${badge.name}) failed: ${JSON.stringify(log)}`);
    const greeted = at('greeting') ?? at('signed_in');
    (swap ? swaps : fresh).push(greeted - shown);
    if (!swap && at('signing_in')) {
      parts.toSigningIn.push(at('signing_in') - shown);
      parts.toGreeting.push(greeted - at('signing_in'));
    }
    await waitForScreen(session, 'signed_in', 20_000);
    // The badge goes back in the pocket, or the same child would be signed in again.
    hideBadge(kiosk);
    signedIn = true;
  }
  await session.execute("document.querySelector('button.button-secondary.button-bar').click();");
  await waitForScreen(session, 'scanning', 20_000);
  return { fresh, swaps, parts };
}

/** CPU of the app's process tree as % of one core over `seconds`, and the processes seen. */
async function idleCpu(kiosk, seconds) {
  const tree = appTree(kiosk);
  const before = cpuTicks(tree);
  const started = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const after = cpuTicks(tree);
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  const rows = tree.map((pid) => ({
    pid,
    comm: after.get(pid)?.comm ?? before.get(pid)?.comm ?? '?',
    percent: (100 * ((after.get(pid)?.seconds ?? 0) - (before.get(pid)?.seconds ?? 0))) / wallS,
  }));
  const total = rows.reduce((sum, r) => sum + r.percent, 0);
  return { total, rows, wallS };
}

/** Process spawn -> preview started (scanning screen) and -> first live frame drawn. */
async function coldStart(portal, profile) {
  const kiosk = await launch('bench-cold', profile);
  try {
    const pid = appTree(kiosk)[0];
    const spawned = processStart(pid);
    await kiosk.session.waitFor(
      "return performance.getEntriesByName('badgein:preview-first-frame').length > 0;",
      'the first preview frame',
      60_000,
    );
    const marks = await kiosk.session.execute(`
      const at = (n) => performance.timeOrigin + performance.getEntriesByName(n)[0].startTime;
      return { started: at('badgein:preview-started'), frame: at('badgein:preview-first-frame'),
               screen: document.body.dataset.screen };
    `);
    if (marks.screen !== 'scanning') throw new Error(`cold start ended on ${marks.screen}`);
    return { scanning: marks.started - spawned, firstFrame: marks.frame - spawned };
  } finally {
    await kiosk.close();
  }
}

const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

async function main() {
  const build = process.env.BENCH_LABEL ?? (APP.includes('/release/') ? 'release' : 'debug');
  // Without a GPU (Xvfb) WebKit composites through Mesa's software GL (llvmpipe) unless told
  // to paint on the CPU; the number depends on it, so it is printed.
  const painting = process.env.WEBKIT_DISABLE_COMPOSITING_MODE === '1' ? 'CPU painting (WEBKIT_DISABLE_COMPOSITING_MODE=1)' : 'WebKit default compositing';
  console.log(`kiosk ${APP}\nportal ${PORTAL_BIN}\nbuild ${build}, ${painting}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const portal = await startPortal();
  let kiosk;
  let profileDir;
  try {
    // A profile of our own (the harness removes its temp dirs at close), used again for the
    // cold start, which is then already enrolled (the credential is in the session's keyring).
    profileDir = mkdtempSync(join(tmpdir(), 'badgein-bench-profile-'));
    const profile = Object.fromEntries(
      ['data', 'cache', 'config'].map((d) => {
        mkdirSync(join(profileDir, d), { mode: 0o700 });
        return [`XDG_${d.toUpperCase()}_HOME`, join(profileDir, d)];
      }),
    );
    kiosk = await launch('bench', { ...portal.enrollEnv(), ...profile });
    await waitForScreen(kiosk.session, 'scanning', 60_000);

    // Warm-up: WebKit's first greeting loads pictures and fonts.
    await signIns(kiosk, portal.badges.slice(-2), 2);

    const latency = await signIns(kiosk, portal.badges, SIGN_INS);
    await sleep(3000); // the scanning screen settles before its CPU is read
    const cpu = await idleCpu(kiosk, CPU_SECONDS);
    const mem = memory(appTree(kiosk));
    await kiosk.close();
    kiosk = undefined;

    const f = summary(latency.fresh);
    const s = summary(latency.swaps);
    const a = summary(latency.parts.toSigningIn);
    const b = summary(latency.parts.toGreeting);
    console.log(`
| ${build} build | n | p50 | p95 | max |
|---|---|---|---|---|
| badge shown -> greeting (scanning, ms) | ${f.n} | ${fmt(f.p50)} | ${fmt(f.p95)} | ${fmt(f.max)} |
|   of which badge shown -> signing_in | ${a.n} | ${fmt(a.p50)} | ${fmt(a.p95)} | ${fmt(a.max)} |
|   of which signing_in -> greeting | ${b.n} | ${fmt(b.p50)} | ${fmt(b.p95)} | ${fmt(b.max)} |
| badge swap: B shown while A signed in -> B greeted (ms) | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.max)} |

| ${build} build | value |
|---|---|
| CPU scanning, nobody there, 1280x720 at 30 fps (% of one core, ${fmt(cpu.wallS, 1)} s) | ${fmt(cpu.total, 1)} |
${cpu.rows.map((r) => `|   ${r.comm} | ${fmt(r.percent, 1)} |`).join('\n')}
| RSS, app + WebKit processes (MB) | ${fmt(mem.rssKb / 1024)} |
| PSS, app + WebKit processes (MB) | ${fmt(mem.pssKb / 1024)} |
${mem.rows.map((r) => `|   ${r.comm} RSS / PSS (MB) | ${fmt(r.rssKb / 1024)} / ${fmt(r.pssKb / 1024)} |`).join('\n')}`);

    const cold = await coldStart(portal, profile);
    console.log(`| cold start, enrolled: spawn -> scanning screen (ms) | ${fmt(cold.scanning)} |
| cold start: spawn -> first live preview frame drawn (ms) | ${fmt(cold.firstFrame)} |
load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await kiosk?.close();
    portal.stop();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
