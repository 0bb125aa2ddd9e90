// What Linux says about a process tree: CPU time, memory and start time, all read from /proc
// (the tree itself: harness.mjs's `descendants`).

import { readFileSync } from 'node:fs';
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
