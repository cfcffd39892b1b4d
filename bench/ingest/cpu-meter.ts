/**
 * CPU time spent by this process (every thread: the platform, the parse worker, the HTTP client)
 * and by the local PostgreSQL server's processes between two readings. On a machine with C cores,
 * a run that needs T seconds of CPU in all cannot take less than T / C seconds of wall time, which
 * tells whether a ratio target is within reach of shaving or needs more cores.
 *
 * PostgreSQL's share is read from /proc (Linux, server on this machine); elsewhere it is absent.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node supports

/** utime + stime of every process named `postgres`, in seconds, or undefined without /proc. */
function postgresCpuSeconds(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  let ticks = 0;
  let seen = false;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ppid … : comm may hold spaces, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    seen = true;
  }
  return seen ? ticks / TICKS_PER_SECOND : undefined;
}

export interface CpuSpent {
  /** This process, all threads, seconds. */
  node: number;
  /** PostgreSQL's processes on this machine (backends, walwriter, checkpointer…), seconds. */
  postgres?: number;
}

export function startCpuMeter(): () => CpuSpent {
  const node = process.cpuUsage();
  const pg = postgresCpuSeconds();
  return () => {
    const used = process.cpuUsage(node);
    const pgNow = postgresCpuSeconds();
    return { node: (used.user + used.system) / 1e6, ...(pg !== undefined && pgNow !== undefined ? { postgres: pgNow - pg } : {}) };
  };
}

/** "node 5.1 s + PostgreSQL 2.0 s = 7.1 s of CPU, ≥ 3.6 s of wall on 2 cores" */
export function describeCpu(spent: CpuSpent, cores: number): string {
  if (spent.postgres === undefined) return `node ${spent.node.toFixed(1)} s of CPU (PostgreSQL's not readable here)`;
  const total = spent.node + spent.postgres;
  return `node ${spent.node.toFixed(1)} s + PostgreSQL ${spent.postgres.toFixed(1)} s = ${total.toFixed(1)} s of CPU, at least ${(total / cores).toFixed(1)} s of wall on ${cores} cores`;
}
