import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { parseCompose, parseEnvFile, readRepoFile, ROOT } from './compose-file.js';

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | null;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions, joining continuation lines and dropping comments. */
function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const logical = text
    .split(/\r?\n/)
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [, image = '', name = null] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args) ?? [];
      stages.push({
        from: image.replace(/^\$\{(\w+)\}$/, (_m, arg: string) => args[arg] ?? ''),
        name,
        instructions: [],
      });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=');
      args[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

function execForm(args: string): string[] {
  return JSON.parse(args.replace(/^CMD\s+/, '')) as string[];
}

const { stages } = parseDockerfile(readRepoFile('Dockerfile'));
/** The server's Node flags (a smaller young generation: less resident memory). */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=4'];
/** Blocks at least this large get their own mappings from glibc's malloc (returned when freed). */
const MMAP_THRESHOLD = 1_048_576;
const build = stages[0]!;
const runtime = stages.at(-1)!;

describe('Dockerfile', () => {
  it('should build in one node:24-bookworm-slim (LTS) stage and run in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toBe('node:24-bookworm-slim');
  });

  it('should compile the native modules and TypeScript in the build stage, then drop dev dependencies', () => {
    const runs = argsOf(build, 'RUN').join('\n');
    expect(runs).toMatch(/apt-get install[^\n]*\bpython3\b[^\n]*\bmake\b[^\n]*\bg\+\+/);
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(runs).toMatch(/\bnpm run build\b/);
    expect(runs).toMatch(/\bnpm prune --omit=dev\b/);
    expect(argsOf(build, 'COPY').join('\n')).toMatch(/\.prebuild-installrc/);
  });

  it('should copy the install scripts npm ci runs (prepare, postinstall) before running it', () => {
    const { scripts } = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> };
    const steps = build.instructions.map((i) => `${i.keyword} ${i.args}`);
    const install = steps.findIndex((step) => /^RUN .*\bnpm ci\b/.test(step));
    const copied = steps
      .slice(0, install)
      .filter((step) => step.startsWith('COPY '))
      .join('\n');
    for (const hook of ['prepare', 'postinstall']) {
      const script = /^node (scripts\/\S+\.mjs)$/.exec(scripts[hook] ?? '')?.[1];
      expect(script, hook).toBeDefined();
      expect(copied, hook).toContain(script);
    }
  });

  it('should start the file the build emits for src/main.ts', () => {
    const base = JSON.parse(readRepoFile('tsconfig.json')) as { compilerOptions: Record<string, string> };
    const buildConfig = JSON.parse(readRepoFile('tsconfig.build.json')) as { include: string[] };
    const { outDir, rootDir } = base.compilerOptions;
    expect(buildConfig.include).toContain('src');
    const emitted = join(outDir!, relative(join(ROOT, rootDir!), join(ROOT, 'src/main.js')));
    expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true);
    expect(execForm(argsOf(runtime, 'CMD')[0]!)).toEqual(['node', ...SERVER_NODE_FLAGS, emitted]);
  });

  it('should give Node the same flags and malloc setting as npm start and the side-by-side benchmark', () => {
    const { scripts } = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> };
    const malloc = `MALLOC_MMAP_THRESHOLD_=${MMAP_THRESHOLD}`;
    expect(scripts.start).toBe(`${malloc} exec node ${SERVER_NODE_FLAGS.join(' ')} --import tsx src/main.ts`);
    expect(argsOf(runtime, 'ENV').join(' ').split(/\s+/)).toContain(malloc);
    const bench = readRepoFile('scripts/bench-compare.ts');
    expect(bench).toContain(JSON.stringify(SERVER_NODE_FLAGS).replaceAll('"', "'"));
    expect(bench).toContain(`MALLOC_MMAP_THRESHOLD_: '${MMAP_THRESHOLD}'`);
  });

  it('should run as a non-root user with /data as a volume and port 8000 exposed', () => {
    const user = argsOf(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(argsOf(runtime, 'VOLUME').join(' ')).toContain('/data');
    expect(argsOf(runtime, 'EXPOSE')).toContain('8000');
    expect(argsOf(runtime, 'RUN').join('\n')).toMatch(/chown[^\n]*\/data/);
  });

  it('should check health with node itself, since the slim image has neither curl nor nc', () => {
    const [healthcheck] = argsOf(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/--timeout=\d+s/);
    expect(execForm(healthcheck!.slice(healthcheck!.indexOf('CMD')))).toEqual([
      'node',
      'scripts/healthcheck.mjs',
    ]);
    expect(argsOf(runtime, 'COPY')).toContain('scripts/healthcheck.mjs ./scripts/healthcheck.mjs');
  });

  it('should set only KBGATE_* defaults that kbgate reads, matching the compose file', () => {
    const known = new Set(CONFIG_VARIABLES.map((v) => v.name));
    const names = argsOf(runtime, 'ENV')
      .join(' ')
      .split(' ')
      .map((pair) => pair.split('=')[0]!)
      .filter((name) => name.startsWith('KBGATE_'));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !known.has(name))).toEqual([]);
    const compose = parseCompose(
      readRepoFile('docker-compose.yml'),
      parseEnvFile(readRepoFile('.env.example')),
    );
    expect(argsOf(runtime, 'ENV').join(' ')).toContain(
      `KBGATE_DATA_DIR=${String((compose.services.kbgate?.environment as Record<string, string>).KBGATE_DATA_DIR)}`,
    );
  });
});

describe('.dockerignore', () => {
  const lines = readRepoFile('.dockerignore')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('should shut everything out first and let in only what the build needs', () => {
    expect(lines[0]).toBe('*');
    const allowed = lines
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    for (const needed of [
      'package.json',
      'package-lock.json',
      '.prebuild-installrc',
      'tsconfig.json',
      'tsconfig.build.json',
      'src',
    ]) {
      expect(allowed, needed).toContain(needed);
    }
    expect(allowed).toContain('scripts/healthcheck.mjs');
    for (const script of ['scripts/prepare.mjs', 'scripts/build-hnswlib-avx2.mjs'])
      expect(allowed).toContain(script);
    for (const secret of ['.env', 'node_modules', 'data', 'dist'])
      expect(allowed, secret).not.toContain(secret);
  });
});
