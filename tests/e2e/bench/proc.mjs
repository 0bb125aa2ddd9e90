// What Linux says about a process tree: CPU time, memory and start time, all read from /proc
// (the tree itself: harness.mjs's `descendants`).

import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The fields of /proc/<pid>/stat after the command name (field 3 is index 0). */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return {
    comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    rest: stat.slice(stat.lastIndexOf(')') + 2).split(' '),
  };
}

/** The process's name (cut by Linux at 15 characters), or null when it is gone. */
export function processName(pid) {
  try {
    return statFields(pid).comm;
  } catch {
    return null;
  }
}

/** pid -> {comm, seconds of CPU (user + system) so far}. */
export function cpuTicks(pids) {
  const out = new Map();
  for (const pid of pids) {
    try {
      const { comm, rest } = statFields(pid);
      // utime and stime are fields 14 and 15.
      out.set(pid, { comm, seconds: (Number(rest[11]) + Number(rest[12])) / TICKS_PER_S });
    } catch {
      // Gone.
    }
  }
  return out;
}

function kbField(text, name) {
  const m = text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : 0;
}

/**
 * Summed VmRSS and Pss (which shares out pages used by several processes) in kB, and each
 * process's own.
 */
export function memory(pids) {
  let rssKb = 0;
  let pssKb = 0;
  const rows = [];
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const row = {
        comm: statFields(pid).comm,
        rssKb: kbField(status, 'VmRSS'),
        pssKb: kbField(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss'),
      };
      rows.push(row);
      rssKb += row.rssKb;
      pssKb += row.pssKb;
    } catch {
      // Gone.
    }
  }
  return { rssKb, pssKb, rows };
}

/** When `pid` started, in Date.now() milliseconds (to the kernel's tick, 10 ms). */
export function processStart(pid) {
  const startTicks = Number(statFields(pid).rest[19]);
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const bootMs = Date.now() - uptimeS * 1000;
  return bootMs + (startTicks / TICKS_PER_S) * 1000;
}

const MIB = 1024 * 1024;
/** glibc's malloc arenas (other than the main one) are reserved 64 MiB at a time, so aligned. */
const ARENA_BYTES = 64 * MIB;

/** What a file-backed mapping is, by its path. */
function fileGroup(path) {
  const name = path.split('/').at(-1) ?? path;
  if (path.startsWith('/memfd:') || path.startsWith('/dev/shm/')) return 'shared memory (memfd, /dev/shm)';
  if (path.startsWith('/dev/')) return `device ${path}`;
  if (/^libwebkit2gtk|^libjavascriptcoregtk/.test(name)) return `file: ${name.replace(/\.so.*/, '.so')}`;
  if (/^libLLVM|^libgallium|_dri\.so|^libGL|^libEGL|^libgbm|^libglapi/.test(name)) return 'file: Mesa and LLVM (software GL)';
  if (/^libflite/.test(name)) return 'file: speech synthesis voices (flite)';
  if (/^libicudata/.test(name)) return 'file: ICU data';
  if (/\.(ttf|otf|ttc|pcf)(\.gz)?$|fontconfig/.test(path)) return 'file: fonts and their caches';
  if (name === 'badgein-kiosk') return 'file: the badgein-kiosk binary';
  if (/\.so/.test(name)) return 'file: other shared libraries';
  return 'file: other';
}

/**
 * The mappings of `pid` grouped by what they hold, in kB: `[heap]` (malloc's main arena), other
 * malloc arenas (64 MiB-aligned anonymous reservations), thread stacks (anonymous mappings just
 * above a 4 kB guard page), other anonymous memory (large allocations mmapped on their own, GL
 * buffers, JIT code), and files (libraries by name). Each group's Rss, Pss and private pages.
 */
export function smapsBreakdown(pid) {
  const maps = [];
  let current;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = line.match(/^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/);
    if (head) {
      current = { start: BigInt(`0x${head[1]}`), end: BigInt(`0x${head[2]}`), perms: head[3], path: head[4], kb: {} };
      maps.push(current);
      continue;
    }
    const field = line.match(/^(\w+):\s+(\d+) kB/);
    if (field && current) current.kb[field[1]] = Number(field[2]);
  }
  const groups = new Map();
  maps.forEach((m, i) => {
    const size = Number(m.end - m.start);
    const [before, after] = [maps[i - 1], maps[i + 1]];
    let group;
    if (m.path === '[heap]') group = 'heap: malloc main arena ([heap])';
    else if (m.path === '[stack]') group = 'main thread stack';
    else if (m.path.startsWith('[')) group = `kernel ${m.path}`;
    else if (m.path.startsWith('/')) group = fileGroup(m.path);
    else if (m.perms === '---p') group = 'reserved, not backed (guards, arena tails)';
    else if (
      m.start % BigInt(ARENA_BYTES) === 0n &&
      (size === ARENA_BYTES || (after?.perms === '---p' && after.start === m.end && Number(after.end - m.start) === ARENA_BYTES))
    )
      group = 'malloc arenas (threads\u2019 own, 64 MiB each reserved)';
    else if (before?.perms === '---p' && before.end === m.start && Number(before.end - before.start) === 4096)
      group = 'thread stacks';
    else if (m.path === '') group = 'other anonymous (large mmapped allocations, GL, JIT)';
    else group = `other ${m.path}`;
    const g = groups.get(group) ?? { group, mappings: 0, rssKb: 0, pssKb: 0, privateKb: 0 };
    g.mappings += 1;
    g.rssKb += m.kb.Rss ?? 0;
    g.pssKb += m.kb.Pss ?? 0;
    g.privateKb += (m.kb.Private_Clean ?? 0) + (m.kb.Private_Dirty ?? 0);
    groups.set(group, g);
  });
  return { threads: threadNames(pid), groups: [...groups.values()].filter((g) => g.rssKb > 0).sort((a, b) => b.rssKb - a.rssKb) };
}

/** `pid`'s threads counted by name (digits dropped: `tokio-runtime-w`, `gst...`), most first. */
export function threadNames(pid) {
  const counts = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
    } catch {
      // Ended while we looked.
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** The environment process `pid` was started with, as NAME=value strings. */
export function startEnvironment(pid) {
  return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
}

/** The files `pid` maps, by name (`libEGL_mesa.so.0.0.0`), each once. */
export function mappedFiles(pid) {
  const names = readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .map((line) => line.match(/\s(\/\S+)$/)?.[1].split('/').pop())
    .filter(Boolean);
  return [...new Set(names)];
}
