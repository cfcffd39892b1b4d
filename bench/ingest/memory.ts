/**
 * Memory of this process during a phase: `process.memoryUsage()` sampled every 100 ms (rss and
 * heapUsed peaks), and the kernel's own high-water mark (VmHWM of /proc/self/status), which sees
 * a peak between two samples too. The mark is reset at the start of the phase by writing 5 to
 * /proc/self/clear_refs (Linux ≥ 4.0); where that is not possible the kernel figure is the peak
 * since the process started and is labelled so.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface MemoryPeaks {
  /** Peak of the 100 ms samples, bytes. */
  rss: number;
  heapUsed: number;
  external: number;
  /** RSS when the phase started, and of it the V8 heap (committed) and what V8 counts outside it (Buffers…), after a full GC. */
  rssAtStart: number;
  heapTotalAtStart?: number;
  externalAtStart?: number;
  /** Kernel high-water mark (VmHWM), bytes; undefined off Linux. */
  hwm?: number;
  /** Whether the high-water mark was reset at the start of the phase (else: since process start). */
  hwmReset: boolean;
  samples: number;
  /** Peak RSS per named part of the phase (see `mark`). */
  parts: { name: string; rss: number; heapUsed: number }[];
}

function vmHwm(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function resetHwm(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export class MemorySampler {
  private timer?: NodeJS.Timeout;
  private peaks: MemoryPeaks = { rss: 0, heapUsed: 0, external: 0, rssAtStart: 0, hwmReset: false, samples: 0, parts: [] };

  start(everyMs = 100): void {
    (globalThis as { gc?: () => void }).gc?.();
    const hwmReset = resetHwm();
    const m = process.memoryUsage();
    this.peaks = { rss: m.rss, heapUsed: m.heapUsed, external: m.external, rssAtStart: m.rss, heapTotalAtStart: m.heapTotal, externalAtStart: m.external, hwmReset, samples: 1, parts: [] };
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  /** Starts a named part: later samples count for it (the upload, the load). */
  mark(name: string): void {
    this.sample();
    this.peaks.parts.push({ name, rss: 0, heapUsed: 0 });
    this.sample();
  }

  private sample(): void {
    const m = process.memoryUsage();
    const part = this.peaks.parts[this.peaks.parts.length - 1];
    if (part) {
      if (m.rss > part.rss) part.rss = m.rss;
      if (m.heapUsed > part.heapUsed) part.heapUsed = m.heapUsed;
    }
    this.peaks.samples++;
    if (m.rss > this.peaks.rss) this.peaks.rss = m.rss;
    if (m.heapUsed > this.peaks.heapUsed) this.peaks.heapUsed = m.heapUsed;
    if (m.external > this.peaks.external) this.peaks.external = m.external;
  }

  stop(): MemoryPeaks {
    this.sample();
    clearInterval(this.timer);
    return { ...this.peaks, hwm: vmHwm() };
  }
}

export const mb = (bytes: number | undefined) => (bytes === undefined ? '-' : (bytes / 1024 / 1024).toFixed(0));
