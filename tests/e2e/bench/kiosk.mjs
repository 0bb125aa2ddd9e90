// The kiosk app's numbers (issues 4 and 13): scan-to-greeting latency over many sign-ins against
// a real local portal, with the badge in a 720p classroom at 20, 40 and 60 cm and (a lower
// bound) as the whole frame; CPU of the app's process tree while it scans an empty scene with a
// lit room's sensor noise and a dim room's, and how many frames the change rule let through;
// memory, what the app's own memory holds, and cold start. A benchmark: it prints tables and
// asserts nothing. Run by scripts/bench-kiosk (Xvfb, D-Bus, an unlocked keyring), which says how
// to pick the debug or release build.
//
// Times: the bench notes Date.now() just before it renames a badge PNG over the simulated
// camera's file (BADGEIN_CAMERA=still:<file>); in the page a MutationObserver notes Date.now()
// when body[data-screen] changes. Both read the same system clock on one machine.
//
// Knobs: BENCH_SIGN_INS (sign-ins per case, 25), BENCH_CPU_SECONDS (20), BENCH_DISTANCES
// (cm, "20,40,60"; empty: only the badge as the whole frame), BENCH_NOISES (the empty room's noise sigma in grey levels, "2,5": the first
// is measured after the sign-ins, each other in a kiosk started with it), BENCH_APP_ENV
// ("NAME=value ..." added to the app's environment, e.g. MALLOC_ARENA_MAX=2), BENCH_MEMORY_EVERY
// (N: memory at the scanning screen after every N children, for a long day's growth; off).

import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import {
  APP,
  PORTAL_BIN,
  appPid,
  descendants,
  launch,
  startPortal,
  waitForScreen,
  waitUntil,
  webProcesses,
} from '../harness.mjs';
import { cpuTicks, memory, processName, processStart, smapsBreakdown } from './proc.mjs';
import { BADGE_CM, HFOV_DEG, badgePx, sceneWithBadge } from './scene.mjs';

const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 25);
const CPU_SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 20);
const list = (value) =>
  value
    .split(',')
    .filter((v) => v.trim() !== '')
    .map((v) => Number(v.trim()))
    .filter(Number.isFinite);
const DISTANCES_CM = list(process.env.BENCH_DISTANCES ?? '20,40,60');
const NOISES = list(process.env.BENCH_NOISES ?? '2,5');
/** Added to every kiosk's environment (experiments: MALLOC_ARENA_MAX=2, ...). */
const APP_ENV = Object.fromEntries(
  (process.env.BENCH_APP_ENV ?? '')
    .split(/\s+/)
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
/**
 * The app's log on stderr (app.log) even in a release build, with the camera loop's and the
 * preview's frame counts (trace level, off by default).
 */
const LOG_ENV = {
  BADGEIN_LOG_STDERR: '1',
  RUST_LOG: 'info,badgein_kiosk_core::driver::camera=trace,badgein_kiosk::preview=trace',
};
/** Every SWAP_EVERY-th sign-in replaces the child signed in by showing another badge. */
const SWAP_EVERY = 5;
/** 0: off; else memory is read at the scanning screen once every this many children. */
const MEMORY_EVERY = Number(process.env.BENCH_MEMORY_EVERY ?? 0);
/** Children signed in since the kiosk started, over every case, and the memory read as they pass. */
const day = { children: 0, nextMark: MEMORY_EVERY, marks: [] };

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

/** `count` sign-ins, children in turn (`badges`: {name, png}); returns the latencies in ms. */
async function signIns(kiosk, badges, count) {
  const { session } = kiosk;
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
      await markTheDay(kiosk);
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
    day.children += 1;
  }
  await session.execute("document.querySelector('button.button-secondary.button-bar').click();");
  await waitForScreen(session, 'scanning', 20_000);
  return { fresh, swaps, parts };
}

/**
 * At the scanning screen: the memory, once `MEMORY_EVERY` more children have signed in. Read
 * after the child's portal view's web process has ended, so that every reading is of the same
 * processes: the app, its window's web process and the network process.
 */
async function markTheDay(kiosk) {
  if (MEMORY_EVERY <= 0 || day.children < day.nextMark) return;
  const [app] = appTree(kiosk);
  await waitUntil(async () => webProcesses(app).length <= 1, "the portal view's web process to end", 20_000);
  day.marks.push({ children: day.children, mem: memory(appTree(kiosk)) });
  day.nextMark += MEMORY_EVERY;
}

/** The memory read every `MEMORY_EVERY` children, a table and a blank line; empty when off. */
function dayTable() {
  if (day.marks.length === 0) return '';
  const mb = (kb) => fmt(kb / 1024);
  const rows = day.marks.map(({ children, mem }) => {
    const [app, ...others] = mem.rows;
    const pss = (comm) => mb(others.filter((r) => r.comm === comm).reduce((sum, r) => sum + r.pssKb, 0));
    return `| ${children} | ${mb(mem.pssKb)} | ${mb(app.rssKb)} / ${mb(app.pssKb)} | ${pss('WebKitWebProces')} | ${pss('WebKitNetworkPr')} |`;
  });
  return `
A long day: memory at the scanning screen (MB)

| children since start | PSS, app + WebKit | app RSS / PSS | web processes PSS | network process PSS |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

/** The latest cumulative frame counts in the app's log: camera loop and preview. */
function frameCounts(kiosk) {
  const log = kiosk.appLog();
  const last = (re) => [...log.matchAll(re)].at(-1)?.slice(1).map(Number) ?? [NaN, NaN];
  const [read, scanned] = last(/camera frames read=(\d+) scanned=(\d+)/g);
  const [offered, sent] = last(/preview frames offered=(\d+) sent=(\d+)/g);
  return { read, scanned, offered, sent };
}

/**
 * CPU of the app's process tree as % of one core over `seconds`, the processes seen, and the
 * frames read, scanned and sent to the preview meanwhile (to the 30 frames the log says them).
 */
async function idleCpu(kiosk, seconds) {
  const tree = appTree(kiosk);
  const before = cpuTicks(tree);
  const countsBefore = frameCounts(kiosk);
  const started = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const after = cpuTicks(tree);
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  const countsAfter = frameCounts(kiosk);
  const frames = Object.fromEntries(Object.keys(countsAfter).map((k) => [k, countsAfter[k] - countsBefore[k]]));
  const rows = tree.map((pid) => ({
    pid,
    comm: after.get(pid)?.comm ?? before.get(pid)?.comm ?? '?',
    percent: (100 * ((after.get(pid)?.seconds ?? 0) - (before.get(pid)?.seconds ?? 0))) / wallS,
  }));
  const total = rows.reduce((sum, r) => sum + r.percent, 0);
  return { total, rows, wallS, frames };
}

/** Process spawn -> preview started (scanning screen) and -> first live frame drawn. */
async function coldStart(portal, profile) {
  const kiosk = await launch('bench-cold', { ...profile, ...APP_ENV });
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

function latencyRows(label, latency) {
  const f = summary(latency.fresh);
  const s = summary(latency.swaps);
  const a = summary(latency.parts.toSigningIn);
  return [
    `| ${label}: badge shown -> greeting | ${f.n} | ${fmt(f.p50)} | ${fmt(f.p95)} | ${fmt(f.max)} |`,
    `|   of which badge shown -> signing_in | ${a.n} | ${fmt(a.p50)} | ${fmt(a.p95)} | ${fmt(a.max)} |`,
    `|   badge swap: B shown while A signed in -> B greeted | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.max)} |`,
  ].join('\n');
}

function cpuRows(noise, cpu, when) {
  const { read, scanned, offered, sent } = cpu.frames;
  return [
    `| CPU scanning, nobody there, noise sigma ${noise} (${when}; % of one core, ${fmt(cpu.wallS, 1)} s) | ${fmt(cpu.total, 1)} |`,
    ...cpu.rows.map((r) => `|   ${r.comm} | ${fmt(r.percent, 1)} |`),
    `|   frames read / scanned (the rest skipped as unchanged) | ${read} / ${scanned} |`,
    `|   preview frames offered / sent to the window | ${offered} / ${sent} |`,
  ].join('\n');
}

function memoryRows(mem, when) {
  return [
    `| RSS, app + WebKit processes, ${when} (MB) | ${fmt(mem.rssKb / 1024)} |`,
    `| PSS, app + WebKit processes, ${when} (MB) | ${fmt(mem.pssKb / 1024)} |`,
    ...mem.rows.map((r) => `|   ${r.comm} RSS / PSS (MB) | ${fmt(r.rssKb / 1024)} / ${fmt(r.pssKb / 1024)} |`),
  ].join('\n');
}

/**
 * The app's memory by mapping, and each of its WebKit web processes' (after a sign-out only the
 * kiosk window's is left).
 */
function breakdownTables(kiosk, when) {
  const [app, ...children] = appTree(kiosk);
  const web = children.filter((pid) => processName(pid) === 'WebKitWebProces');
  return [
    breakdownTable(app, when),
    ...web.map((pid) => breakdownTable(pid, when, `A WebKit web process's memory (${pid}`)),
  ];
}

function breakdownTable(pid, when, whose = "The app's own memory (badgein-kiosk") {
  const { threads, groups } = smapsBreakdown(pid);
  const mb = (kb) => fmt(kb / 1024, 1);
  return [
    `\n${whose}, ${when}; ${threads.reduce((n, [, c]) => n + c, 0)} threads: ${threads.map(([name, c]) => `${c} ${name}`).join(', ')})`,
    '| mappings | n | RSS (MB) | PSS (MB) | private (MB) |',
    '|---|---|---|---|---|',
    ...groups.map((g) => `| ${g.group} | ${g.mappings} | ${mb(g.rssKb)} | ${mb(g.pssKb)} | ${mb(g.privateKb)} |`),
  ].join('\n');
}

/** Launches an enrolled kiosk on `profile` with the empty room's noise `noise`; waits for scanning. */
async function launchScanning(name, profile, noise, env = {}) {
  const kiosk = await launch(name, { ...profile, ...LOG_ENV, ...APP_ENV, BADGEIN_STILL_NOISE: String(noise), ...env });
  await waitForScreen(kiosk.session, 'scanning', 60_000);
  return kiosk;
}

async function main() {
  const build = process.env.BENCH_LABEL ?? (APP.includes('/release/') ? 'release' : 'debug');
  // The kiosk window always paints on the CPU (src-tauri/src/platform/linux.rs); the portal
  // views composite through OpenGL, which without a GPU (Xvfb) is Mesa's software renderer,
  // unless the whole app is told to paint on the CPU. The numbers depend on it, so it is printed.
  const painting = `kiosk window painted on the CPU, portal views ${
    APP_ENV.WEBKIT_DISABLE_COMPOSITING_MODE === '1' || process.env.WEBKIT_DISABLE_COMPOSITING_MODE === '1'
      ? 'too (WEBKIT_DISABLE_COMPOSITING_MODE=1)'
      : "with WebKit's default compositing"
  }`;
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`kiosk ${APP}\nportal ${PORTAL_BIN}\nbuild ${build}, ${painting}, app env ${JSON.stringify(APP_ENV)}, load average ${load()}`);
  const portal = await startPortal();
  let kiosk;
  let profileDir;
  try {
    // A profile of our own (the harness removes its temp dirs at close), used again for the
    // idle and cold-start kiosks, which are then already enrolled (the credential is in the
    // session's keyring).
    profileDir = mkdtempSync(join(tmpdir(), 'badgein-bench-profile-'));
    const profile = Object.fromEntries(
      ['data', 'cache', 'config'].map((d) => {
        mkdirSync(join(profileDir, d), { mode: 0o700 });
        return [`XDG_${d.toUpperCase()}_HOME`, join(profileDir, d)];
      }),
    );
    const [firstNoise, ...otherNoises] = NOISES;
    kiosk = await launch('bench', { ...portal.enrollEnv(), ...profile, ...LOG_ENV, ...APP_ENV, BADGEIN_STILL_NOISE: String(firstNoise) });
    await waitForScreen(kiosk.session, 'scanning', 60_000);

    // The camera's pictures: each badge PNG as the whole frame (a lower bound: nothing to
    // find), and in the classroom at each distance.
    const files = portal.badges.map((path) => ({ name: basename(path, '.png'), png: readFileSync(path) }));
    const cases = [
      { label: 'badge PNG as the whole frame (lower bound)', badges: files },
      ...DISTANCES_CM.map((cm) => ({
        label: `badge in the 720p scene at ${cm} cm (${fmt(badgePx(cm))} px)`,
        badges: files.map(({ name, png }) => ({ name, png: sceneWithBadge(png, cm) })),
      })),
    ];

    // Warm-up: WebKit's first greeting loads pictures and fonts.
    await signIns(kiosk, files.slice(-2), 2);
    // The same kiosk before the sign-ins, so that what each child leaves behind (threads,
    // memory: docs/kiosk-performance.md's leak) shows as a difference.
    await sleep(3000);
    const mems = [{ when: 'after the warm-up, before the sign-ins', mem: memory(appTree(kiosk)) }];
    const breakdowns = breakdownTables(kiosk, 'after the warm-up, before the sign-ins');

    const latencies = [];
    for (const c of cases) latencies.push({ label: c.label, latency: await signIns(kiosk, c.badges, SIGN_INS) });
    await sleep(3000); // the scanning screen settles before its CPU is read
    const cpus = [{ noise: firstNoise, when: 'after the sign-ins', cpu: await idleCpu(kiosk, CPU_SECONDS) }];
    mems.push({ when: `after ${latencies.reduce((n, l) => n + l.latency.fresh.length + l.latency.swaps.length, 0)} sign-ins`, mem: memory(appTree(kiosk)) });
    breakdowns.push(...breakdownTables(kiosk, 'after the sign-ins'));
    await kiosk.close();
    kiosk = undefined;

    for (const noise of otherNoises) {
      kiosk = await launchScanning(`bench-noise-${noise}`, profile, noise);
      await sleep(3000);
      cpus.push({ noise, when: 'a kiosk started with it', cpu: await idleCpu(kiosk, CPU_SECONDS) });
      mems.push({ when: `idle since start, noise ${noise}`, mem: memory(appTree(kiosk)) });
      breakdowns.push(...breakdownTables(kiosk, `idle since start, noise ${noise}`));
      await kiosk.close();
      kiosk = undefined;
    }

    console.log(`
Badge sizes: ${BADGE_CM} cm printed code, ${HFOV_DEG} degree horizontal field of view, 1280 px wide.

| ${build} build (ms) | n | p50 | p95 | max |
|---|---|---|---|---|
${latencies.map((l) => latencyRows(l.label, l.latency)).join('\n')}

| ${build} build | value |
|---|---|
${cpus.map((c) => cpuRows(c.noise, c.cpu, c.when)).join('\n')}
${mems.map((m) => memoryRows(m.mem, m.when)).join('\n')}`);

    const cold = await coldStart(portal, { ...profile, BADGEIN_STILL_NOISE: String(firstNoise) });
    console.log(`| cold start, enrolled: spawn -> scanning screen (ms) | ${fmt(cold.scanning)} |
| cold start: spawn -> first live preview frame drawn (ms) | ${fmt(cold.firstFrame)} |
${dayTable()}${breakdowns.join('\n')}
load average after: ${load()}`);
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
