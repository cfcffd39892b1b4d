/**
 * A CPU profile of one phase of this process (node:inspector, the same sampler as `node --cpu-prof`),
 * written as a .cpuprofile (open it in Chrome DevTools → Performance, or speedscope) and summed up
 * here: self time per function and per file, the hot spots.
 */
import { Session } from 'node:inspector';
import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const post = <T>(session: Session, method: string, params?: object) =>
  new Promise<T>((res, rej) => session.post(method, params ?? {}, (err, result) => (err ? rej(err) : res(result as T))));

export class CpuProfiler {
  private session?: Session;

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await post(this.session, 'Profiler.enable');
    await post(this.session, 'Profiler.setSamplingInterval', { interval: 500 });
    await post(this.session, 'Profiler.start');
  }

  async stop(path: string): Promise<Profile> {
    const { profile } = await post<{ profile: Profile }>(this.session!, 'Profiler.stop');
    this.session!.disconnect();
    await writeFile(path, JSON.stringify(profile));
    return profile;
  }
}

const root = resolve(__dirname, '../..');

function where(url: string, line?: number): string {
  if (!url) return '(native)';
  const file = url.startsWith('file://') ? url.slice(7) : url;
  const shown = file.startsWith('/') ? relative(root, file) : file;
  return line === undefined ? shown : `${shown}:${line + 1}`;
}

/** Self time per function and per file over one or more profiles, biggest first, as printable lines. */
export function hotSpots(profiles: Profile | Profile[], top = 25): string[] {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const profile of Array.isArray(profiles) ? profiles : [profiles]) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
    for (const [id, us] of self) {
      total += us;
      const f = byId.get(id)!.callFrame;
      const name = f.functionName || '(anonymous)';
      const key = `${name}  ${where(f.url, f.lineNumber)}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + us);
      const file = /^\((program|idle|garbage collector)\)$/.test(name) ? name : where(f.url);
      byFile.set(file, (byFile.get(file) ?? 0) + us);
    }
  }
  total ||= 1;
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
  const lines = [`  profiled ${(total / 1e6).toFixed(1)} s of CPU samples; self time by function:`];
  for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${pct(us)}  ${k}`);
  lines.push('  self time by file:');
  for (const [k, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`    ${pct(us)}  ${k}`);
  return lines;
}
