/**
 * Measures how long the event loop is held while something runs, in a way a loaded machine cannot inflate.
 *
 * @remarks A 1 ms interval timer samples wall time and this process's CPU time. A gap between two ticks is time
 * the loop could not answer anything (a heartbeat included); counting each gap as the smaller of its wall time and
 * the CPU the process used in it keeps time spent descheduled (other processes on a busy 2-core machine) out of the
 * measure, while a synchronous task on the loop counts in full.
 */
export interface Blocking<T> {
  result: T;
  /** Longest time the loop was held, in milliseconds. */
  maxBlockMs: number;
}

/** Runs `run` and reports the longest the event loop was held meanwhile. */
export async function measureBlocking<T>(run: () => Promise<T>): Promise<Blocking<T>> {
  let lastWall = performance.now();
  let lastCpu = cpuMs();
  let maxBlockMs = 0;
  const sample = (): void => {
    const wall = performance.now();
    const cpu = cpuMs();
    maxBlockMs = Math.max(maxBlockMs, Math.min(wall - lastWall, cpu - lastCpu));
    lastWall = wall;
    lastCpu = cpu;
  };
  const timer = setInterval(sample, 1);
  try {
    const result = await run();
    sample();
    return { result, maxBlockMs };
  } finally {
    clearInterval(timer);
  }
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The CPU time, in milliseconds, that parsing `raw` with `JSON.parse` alone takes here and now: the least of three
 * runs. A request cannot hold the loop for less than its body's parse, which grows with the body, not with what the
 * body asks for, and is as slow as the machine is at the moment.
 */
export function parseCostMs(raw: string): number {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = cpuMs();
    JSON.parse(raw);
    least = Math.min(least, cpuMs() - start);
  }
  return least;
}
