/**
 * Side-by-side HTTP benchmark: starts kbgate (the built `dist/`, a fresh data directory) and Chroma 1.x's own server
 * (`../shared/tools/chroma-server.sh`, or the command in --chroma-cmd), runs `scripts/bench-http.ts` against each in
 * turn, alternating which goes first, and prints each run's figures and the kbgate/Chroma ratios with their range.
 * Each server is started fresh for each run and stopped with SIGKILL afterwards (Chroma ignores SIGTERM).
 *
 * With `--interleave`, both servers run at once and one bench-http run measures them side by side: each loads in
 * turn, then every query phase alternates between them in blocks of `--block` queries, so that noise from other work
 * on a shared machine falls on both alike (see scripts/bench-http.ts).
 *
 * Usage: npm run build && npm run bench:compare -- [--n 20000] [--runs 3] [--queries 500] [--warmup 3000]
 *        [--interleave] [--block 100] [--chroma-cmd "../shared/tools/chroma-server.sh run"] [--only kbgate|chroma]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    queries: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '3000' },
    'chroma-cmd': { type: 'string', default: '../shared/tools/chroma-server.sh run' },
    only: { type: 'string' },
    interleave: { type: 'boolean', default: false },
    block: { type: 'string', default: '100' },
  },
});

/** The quiet time bench-http's settle() waits for after a server's background work ends. */
const SETTLE_QUIET_MS = 3_000;
const ROOT = resolve(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
/** Node's flags and malloc's setting for the server, as the Docker image and npm start give them. */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=4'];
const SERVER_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '1048576' };

interface Row {
  phase: string;
  p50_ms: string;
  per_s: string;
  server_cpu_ms_per_op: string;
  recall_at_10?: string;
  settled_after_ms?: string;
}
interface BenchOutput {
  server_rss_mb: string | null;
  rows: Row[];
}
type Figures = Record<string, number>;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`);
    try {
      const res = await fetch(`${url}/api/v2/heartbeat`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no heartbeat from ${url} within 120 s`);
}

function startServer(kind: 'kbgate' | 'chroma', dir: string, port: number): ChildProcess {
  if (kind === 'kbgate') {
    return spawn(process.execPath, [...SERVER_NODE_FLAGS, MAIN], {
      env: {
        ...process.env,
        ...SERVER_MALLOC_ENV,
        KBGATE_HOST: '127.0.0.1',
        KBGATE_PORT: String(port),
        KBGATE_DATA_DIR: dir,
        KBGATE_EMBEDDING: 'none',
        KBGATE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
  }
  const [cmd, ...args] = (values['chroma-cmd'] as string).split(' ');
  return spawn(cmd as string, [...args, dir, String(port)], { stdio: ['ignore', 'ignore', 'ignore'] });
}

/** Runs bench-http against the servers given (side by side when several); one summary per server, in order. */
function runBench(servers: { url: string; pid: number }[]): Promise<BenchOutput[]> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'scripts', 'bench-http.ts'),
        ...servers.flatMap(({ url, pid }) => ['--url', url, '--pid', String(pid)]),
        '--block',
        values.block as string,
        '--n',
        values.n as string,
        '--queries',
        values.queries as string,
        '--warmup',
        values.warmup as string,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const summaries = out.trim().split('\n').slice(-servers.length);
      if (code !== 0) return fail(new Error(`bench-http exited with ${code}`));
      try {
        done(summaries.map((line) => JSON.parse(line) as BenchOutput));
      } catch {
        fail(new Error(`bench-http printed no JSON summary:\n${out}`));
      }
    });
  });
}

/** The figures the comparison reports, from one bench-http run. */
function figuresOf(out: BenchOutput): Figures {
  const find = (prefix: string) => out.rows.find((r) => r.phase.startsWith(prefix)) as Row;
  const insert = find('insert');
  const single = find('query, 1 client');
  const flight = out.rows.find(
    (r) => r.phase.startsWith('query, ') && r.phase.endsWith('in flight') && !r.phase.includes('filter'),
  ) as Row;
  const filtered = find('query, 10% filter, 1 client');
  const filteredFlight = out.rows.find(
    (r) => r.phase.includes('filter') && r.phase.endsWith('in flight'),
  ) as Row;
  const n = Number(values.n);
  // bench-http's settle waits for 3 s of quiet after the server's background work (indexing) ends.
  const busyAfterInsertS = Math.max(0, Number(insert.settled_after_ms) - SETTLE_QUIET_MS) / 1000;
  return {
    insert_per_s: Number(insert.per_s),
    insert_until_indexed_per_s: Math.round(n / (n / Number(insert.per_s) + busyAfterInsertS)),
    insert_cpu_ms_per_vector: parseFloat(insert.server_cpu_ms_per_op),
    query_p50_ms: Number(single.p50_ms),
    query_cpu_ms: Number(single.server_cpu_ms_per_op),
    query_cpu_ms_16: Number(flight.server_cpu_ms_per_op),
    query_cpu_ms_cold: Number(find('cold: query, 1 client').server_cpu_ms_per_op),
    qps_16: Number(flight.per_s),
    recall: Number(single.recall_at_10),
    filtered_p50_ms: Number(filtered.p50_ms),
    filtered_cpu_ms: Number(filtered.server_cpu_ms_per_op),
    filtered_cpu_ms_cold: Number(find('cold: query, 10% filter').server_cpu_ms_per_op),
    filtered_qps_16: Number(filteredFlight.per_s),
    filtered_recall: Number(filtered.recall_at_10),
    rss_mb: Number(out.server_rss_mb),
  };
}

interface Started {
  url: string;
  child: ChildProcess;
  dir: string;
}

async function start(kind: 'kbgate' | 'chroma'): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startServer(kind, dir, port);
  const started = { url, child, dir };
  try {
    await waitUp(url, child);
  } catch (err) {
    await stop(started);
    throw err;
  }
  return started;
}

async function stop({ child, dir }: Started): Promise<void> {
  child.kill('SIGKILL');
  await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  rmSync(dir, { recursive: true, force: true });
}

/** Starts the servers of `kinds` fresh, measures them (side by side when several) and stops them. */
async function measure(kinds: ('kbgate' | 'chroma')[]): Promise<Figures[]> {
  const started: Started[] = [];
  try {
    for (const kind of kinds) started.push(await start(kind));
    const outputs = await runBench(started.map(({ url, child }) => ({ url, pid: child.pid as number })));
    return outputs.map(figuresOf);
  } finally {
    for (const server of started) await stop(server);
  }
}

/** kbgate / Chroma for figures where lower is better shown as "x less" (Chroma / kbgate), else kbgate / Chroma. */
const LOWER_IS_BETTER = new Set([
  'insert_cpu_ms_per_vector',
  'query_p50_ms',
  'query_cpu_ms',
  'query_cpu_ms_16',
  'query_cpu_ms_cold',
  'filtered_p50_ms',
  'filtered_cpu_ms',
  'filtered_cpu_ms_cold',
  'rss_mb',
]);

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` first');
  const runs = Number(values.runs);
  const results: { kbgate?: Figures; chroma?: Figures }[] = [];
  for (let run = 0; run < runs; run++) {
    const order: ('kbgate' | 'chroma')[] = run % 2 === 0 ? ['kbgate', 'chroma'] : ['chroma', 'kbgate'];
    const result: { kbgate?: Figures; chroma?: Figures } = {};
    const kinds = order.filter((kind) => !values.only || values.only === kind);
    const interleaved = values.interleave && kinds.length > 1;
    const print = (kind: 'kbgate' | 'chroma') =>
      console.log(
        JSON.stringify({
          run: run + 1,
          server: kind,
          n: Number(values.n),
          ...(interleaved ? { interleaved: true } : {}),
          ...result[kind],
        }),
      );
    if (interleaved) {
      const figures = await measure(kinds);
      kinds.forEach((kind, i) => (result[kind] = figures[i]));
      kinds.forEach(print);
    } else {
      for (const kind of kinds) {
        [result[kind]] = await measure([kind]);
        print(kind);
      }
    }
    results.push(result);
  }
  if (values.only) return;
  const keys = Object.keys(results[0]?.kbgate ?? {});
  const table = keys.map((key) => {
    const ratios = results.map(({ kbgate, chroma }) => {
      const k = (kbgate as Figures)[key] as number;
      const c = (chroma as Figures)[key] as number;
      return LOWER_IS_BETTER.has(key) ? c / k : k / c;
    });
    return {
      figure: key,
      kbgate: results.map((r) => r.kbgate?.[key]).join(' / '),
      chroma: results.map((r) => r.chroma?.[key]).join(' / '),
      ratio: LOWER_IS_BETTER.has(key) ? 'Chroma / kbgate' : 'kbgate / Chroma',
      range: `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`,
    };
  });
  console.table(table);
}

await main();
