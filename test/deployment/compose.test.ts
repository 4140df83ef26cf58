import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';
import {
  argumentOf,
  commandOf,
  dependenciesOf,
  environmentOf,
  mountsOf,
  parseCompose,
  parseEnvFile,
  portsOf,
  readRepoFile,
  referencedVariables,
  requiredVariables,
  ROOT,
  type ComposeFile,
  type ComposeService,
} from './compose-file.js';

const COMPOSE_TEXT = readRepoFile('docker-compose.yml');
const ENV_EXAMPLE = parseEnvFile(readRepoFile('.env.example'));
const compose = parseCompose(COMPOSE_TEXT, ENV_EXAMPLE);

const SERVICES = [
  'kbgate',
  'ingest',
  'backup',
  'restore',
  'fastchat-controller',
  'fastchat-model-worker',
  'fastchat-api-server',
  'nextchat',
  // profile `scale` (compose-scale.test.ts)
  'chroma',
  'kbgate-1',
  'kbgate-2',
  'kbgate-3',
  'kbgate-lb',
  'ingest-scale',
];

function service(name: string, file: ComposeFile = compose): ComposeService {
  const found = file.services[name];
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
}

function env(name: string, file: ComposeFile = compose): Record<string, string> {
  return environmentOf(service(name, file));
}

function publishedPort(name: string, containerPort: number): number {
  const mapping = portsOf(service(name)).find((p) => p.containerPort === containerPort);
  if (mapping === undefined) throw new Error(`${name} does not publish ${containerPort}`);
  return mapping.hostPort;
}

/** NextChat's origin as the user's browser sees it. */
function nextchatOrigin(): string {
  return `http://localhost:${publishedPort('nextchat', 3000)}`;
}

/** Where the service listens inside its container, from its command's `--port`. */
function commandPort(name: string): number {
  return Number(argumentOf(service(name), '--port'));
}

/** Whether a Compose client that can validate files is installed (the Debian `docker-compose` or the plugin). */
function composeCommand(): string[] | null {
  for (const candidate of [['docker-compose'], ['docker', 'compose']]) {
    const probe = spawnSync(candidate[0]!, [...candidate.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return null;
}

const COMPOSE_COMMAND = composeCommand();

describe('docker-compose.yml', () => {
  it('should define kbgate, its ingest job, the FastChat controller, worker and API server, and NextChat', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SERVICES].sort());
    expect(service('nextchat').image).toMatch(/^yidadaa\/chatgpt-next-web:/);
    for (const name of ['fastchat-controller', 'fastchat-model-worker', 'fastchat-api-server']) {
      expect(service(name).build, name).toMatchObject({ context: './fastchat' });
    }
    expect(service('kbgate').build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
  });

  it('should run each FastChat role on its usual port', () => {
    expect(commandPort('fastchat-controller')).toBe(21001);
    expect(commandPort('fastchat-model-worker')).toBe(21002);
    expect(commandPort('fastchat-api-server')).toBe(8000);
    for (const name of ['fastchat-controller', 'fastchat-model-worker', 'fastchat-api-server']) {
      expect(argumentOf(service(name), '--host'), name).toBe('0.0.0.0');
    }
  });

  it('should publish kbgate on 8000 and NextChat on 3000, and keep FastChat off host port 8000', () => {
    expect(publishedPort('kbgate', Number(env('kbgate').KBGATE_PORT))).toBe(8000);
    expect(publishedPort('nextchat', 3000)).toBe(3000);
    const hostPorts = Object.values(compose.services).flatMap((s) => portsOf(s).map((p) => p.hostPort));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    expect(portsOf(service('fastchat-api-server')).map((p) => p.hostPort)).not.toContain(8000);
  });

  it("should point NextChat's BASE_URL at kbgate's container port, without /v1", () => {
    const base = new URL(env('nextchat').BASE_URL!);
    expect(base.hostname).toBe('kbgate');
    expect(Number(base.port)).toBe(Number(env('kbgate').KBGATE_PORT));
    expect(base.pathname).toBe('/');
    expect(env('nextchat').BASE_URL).not.toMatch(/\/v1\/?$/);
  });

  it("should point KBGATE_UPSTREAM_URL at the FastChat API server's service, port and /v1", () => {
    const upstream = new URL(env('kbgate').KBGATE_UPSTREAM_URL!);
    expect(upstream.hostname).toBe('fastchat-api-server');
    expect(Number(upstream.port)).toBe(commandPort('fastchat-api-server'));
    expect(upstream.pathname).toBe('/v1');
  });

  it('should set only KBGATE_* variables that kbgate reads', () => {
    const known = new Set(CONFIG_VARIABLES.map((v) => v.name));
    for (const name of ['kbgate', 'ingest']) {
      const set = Object.keys(env(name)).filter((variable) => variable.startsWith('KBGATE_'));
      expect(set.length, name).toBeGreaterThan(1);
      expect(
        set.filter((variable) => !known.has(variable)),
        name,
      ).toEqual([]);
      expect(() => loadConfig(env(name)), name).not.toThrow();
    }
  });

  it('should give kbgate a configuration that listens on all interfaces and keeps data in its volume', () => {
    const config = loadConfig(env('kbgate'));
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).not.toBeNull();
    const targets = mountsOf(service('kbgate')).map((m) => m.target);
    expect(targets).toContain(config.dataDir);
    expect(targets).toContain(config.modelDir);
  });

  it("should name kbgate's public URL as NextChat's container reaches it", () => {
    const config = loadConfig(env('kbgate'));
    const publicUrl = new URL(config.publicUrl);
    expect(publicUrl.hostname).toBe('kbgate');
    expect(Number(publicUrl.port)).toBe(config.port);
    expect(config.publicUrl).not.toMatch(/\/$/);
  });

  it("should allow NextChat's browser origin in kbgate's and FastChat's CORS settings", () => {
    expect(loadConfig(env('kbgate')).corsOrigins).toContain(nextchatOrigin());
    const allowed: unknown = JSON.parse(argumentOf(service('fastchat-api-server'), '--allowed-origins')!);
    expect(allowed).toEqual(expect.arrayContaining([nextchatOrigin()]));
  });

  it("should give NextChat kbgate's read-only token as its key and kbgate one of FastChat's API keys", () => {
    const config = loadConfig(env('kbgate'));
    const key = env('nextchat').OPENAI_API_KEY;
    expect(config.readTokens).toContainEqual({ name: 'nextchat', token: key });
    expect(key).not.toBe(config.authToken);
    const fastchatKeys = argumentOf(service('fastchat-api-server'), '--api-keys')!.split(',');
    expect(fastchatKeys).toContain(env('kbgate').KBGATE_UPSTREAM_API_KEY);
  });

  it('should offer NextChat exactly the model the worker serves, as an OpenAI model', () => {
    const served = argumentOf(service('fastchat-model-worker'), '--model-names')!.split(',');
    expect(env('nextchat').CUSTOM_MODELS).toBe(`-all,+${served[0]}@OpenAI`);
    expect(env('nextchat').DEFAULT_MODEL).toBe(`${served[0]}@OpenAI`);
  });

  it("should register the worker and API server with the controller's service and port", () => {
    const controller = `http://fastchat-controller:${commandPort('fastchat-controller')}`;
    expect(argumentOf(service('fastchat-model-worker'), '--controller-address')).toBe(controller);
    expect(argumentOf(service('fastchat-api-server'), '--controller-address')).toBe(controller);
    expect(argumentOf(service('fastchat-model-worker'), '--worker-address')).toBe(
      `http://fastchat-model-worker:${commandPort('fastchat-model-worker')}`,
    );
  });

  it('should health-check every service that stays up, and say so for the one-shot ingest job', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.restart === 'no') {
        expect(s.healthcheck, name).toEqual({ disable: true });
        continue;
      }
      const test = s.healthcheck?.test;
      expect(Array.isArray(test) && ['CMD', 'CMD-SHELL'].includes(test[0]!), name).toBe(true);
    }
    expect(service('ingest').restart).toBe('no');
    expect(service('kbgate').healthcheck?.test).toEqual([
      'CMD',
      'node',
      'scripts/healthcheck.mjs',
      '--ready',
    ]);
  });

  it('should start each service only after what it needs is healthy', () => {
    expect(dependenciesOf(service('fastchat-model-worker'))).toEqual({
      'fastchat-controller': 'service_healthy',
    });
    expect(dependenciesOf(service('fastchat-api-server'))).toEqual({
      'fastchat-controller': 'service_healthy',
    });
    expect(dependenciesOf(service('kbgate'))).toEqual({ 'fastchat-api-server': 'service_healthy' });
    expect(dependenciesOf(service('nextchat'))).toEqual({ kbgate: 'service_healthy' });
    expect(dependenciesOf(service('ingest'))).toEqual({ kbgate: 'service_healthy' });
    for (const s of Object.values(compose.services)) {
      for (const dependency of Object.keys(dependenciesOf(s))) {
        expect(service(dependency).healthcheck?.test, dependency).toBeDefined();
      }
    }
  });

  it('should keep kbgate data, embedding models and the Hugging Face cache in declared named volumes', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const named = Object.values(compose.services)
      .flatMap((s) => mountsOf(s))
      .filter((m) => !m.source.startsWith('.') && !m.source.startsWith('/'));
    expect([...new Set(named.map((m) => m.source))].sort()).toEqual([...declared].sort());
    const worker = mountsOf(service('fastchat-model-worker'));
    expect(worker).toContainEqual({
      source: 'huggingface',
      target: '/hf-cache',
      readOnly: false,
    });
  });

  it('should reserve a GPU for the model worker and let .env switch it to the CPU', () => {
    const devices = service('fastchat-model-worker').deploy?.resources?.reservations?.devices ?? [];
    expect(devices).toContainEqual(expect.objectContaining({ driver: 'nvidia', capabilities: ['gpu'] }));
    const onCpu = parseCompose(COMPOSE_TEXT, { ...ENV_EXAMPLE, FASTCHAT_DEVICE: 'cpu' });
    expect(argumentOf(service('fastchat-model-worker', onCpu), '--device')).toBe('cpu');
  });

  it('should take every secret from .env and refuse to start without them', () => {
    const required = requiredVariables(COMPOSE_TEXT);
    expect(required).toEqual(
      expect.arrayContaining(['FASTCHAT_API_KEY', 'KBGATE_AUTH_TOKEN', 'KBGATE_READ_TOKEN']),
    );
    for (const name of referencedVariables(COMPOSE_TEXT)) expect(ENV_EXAMPLE, name).toHaveProperty(name);
    for (const name of required) {
      const { [name]: _omitted, ...rest } = ENV_EXAMPLE;
      expect(() => parseCompose(COMPOSE_TEXT, rest), name).toThrow(name);
    }
  });

  it("should ingest DOCS_DIR through kbgate's service URL, with kbgate's token and collection", () => {
    const ingest = service('ingest');
    expect(commandOf(ingest).slice(0, 5)).toEqual(['node', 'dist/src/cli.js', 'ingest', '/docs', '--url']);
    expect(existsSync(join(ROOT, 'src/cli.ts'))).toBe(true);
    const url = new URL(argumentOf(ingest, '--url')!);
    expect(url.hostname).toBe('kbgate');
    expect(Number(url.port)).toBe(Number(env('kbgate').KBGATE_PORT));
    expect(argumentOf(ingest, '--collection')).toBe(env('kbgate').KBGATE_COLLECTION);
    expect(env('ingest').KBGATE_AUTH_TOKEN).toBe(env('kbgate').KBGATE_AUTH_TOKEN);
    expect(mountsOf(ingest)).toContainEqual({
      source: ENV_EXAMPLE.DOCS_DIR,
      target: '/docs',
      readOnly: true,
    });
    expect(ingest.image).toBe(service('kbgate').image);
  });

  it("should mount nextchat/plugins.json read-only over the image's public/plugins.json", () => {
    expect(mountsOf(service('nextchat'))).toContainEqual({
      source: './nextchat/plugins.json',
      target: '/app/public/plugins.json',
      readOnly: true,
    });
  });

  it("should back up and restore kbgate's data volume through stdout and stdin, only when run by hand", () => {
    const config = loadConfig(env('kbgate'));
    for (const [name, args] of [
      ['backup', ['backup', '-']],
      ['restore', ['restore', '-', '--yes']],
    ] as const) {
      const s = service(name);
      expect(s.profiles, name).toEqual(['tools']);
      expect(s.image, name).toBe(service('kbgate').image);
      expect(commandOf(s), name).toEqual(['node', 'dist/src/cli.js', ...args]);
      expect(loadConfig(env(name)).dataDir, name).toBe(config.dataDir);
      const dataMount = mountsOf(service('kbgate')).find((m) => m.target === config.dataDir);
      expect(mountsOf(s), name).toContainEqual(dataMount);
    }
    expect(COMPOSE_TEXT).toContain('docker compose run --rm -T backup > kbgate-backup.sqlite3');
    expect(COMPOSE_TEXT).toContain('docker compose run --rm -T restore < kbgate-backup.sqlite3');
  });

  // Only a real Compose client can say whether the file is valid for Compose itself; without one installed there
  // is nothing to run, and the checks above still read the file.
  it.runIf(COMPOSE_COMMAND !== null)('should pass `docker-compose config` with .env.example', () => {
    const [command, ...args] = COMPOSE_COMMAND!;
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !referencedVariables(COMPOSE_TEXT).includes(name)),
    );
    const result = spawnSync(
      command!,
      [...args, '-f', 'docker-compose.yml', '--env-file', '.env.example', 'config', '-q'],
      { cwd: ROOT, encoding: 'utf8', env: clean },
    );
    expect(result.stderr).not.toMatch(/error|invalid/i);
    expect(result.status).toBe(0);
  });
});

describe('nextchat/plugins.json', () => {
  const plugins: unknown = JSON.parse(readRepoFile('nextchat/plugins.json'));

  it('should list the kbgate plugin as {id, name, schema}', () => {
    expect(plugins).toEqual([
      { id: expect.stringMatching(/^\S+$/), name: expect.any(String), schema: expect.any(String) },
    ]);
  });

  it("should point the schema at kbgate's /openapi.yaml where NextChat's browser fetches it", () => {
    // NextChat's page fetches each schema URL from the browser (not its server), so it must use kbgate's published
    // port on the user's machine; tool calls then go to servers[0].url (KBGATE_PUBLIC_URL) through NextChat's server.
    const [plugin] = plugins as { schema: string }[];
    const kbgatePort = Number(env('kbgate').KBGATE_PORT);
    expect(plugin!.schema).toBe(`http://localhost:${publishedPort('kbgate', kbgatePort)}/openapi.yaml`);
    expect(new URL(plugin!.schema).origin).not.toBe(nextchatOrigin());
  });
});
