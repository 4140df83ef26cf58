import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';
import { PUBLIC_PATHS } from '../../src/http/auth.js';
import {
  dependenciesOf,
  environmentOf,
  mountsOf,
  parseCompose,
  parseEnvFile,
  portsOf,
  readRepoFile,
  referencedVariables,
  ROOT,
  type ComposeService,
} from './compose-file.js';

const COMPOSE_TEXT = readRepoFile('docker-compose.yml');
const compose = parseCompose(COMPOSE_TEXT, parseEnvFile(readRepoFile('.env.example')));
const REPLICAS = ['kbgate-1', 'kbgate-2', 'kbgate-3'];

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
}

describe("docker-compose.yml's `scale` profile", () => {
  it("should run Chroma's official image, three kbgate replicas, nginx and an ingest job, only in that profile", () => {
    const scaled = Object.entries(compose.services)
      .filter(([, s]) => s.profiles?.includes('scale'))
      .map(([name]) => name);
    expect(scaled.sort()).toEqual(['chroma', 'ingest-scale', 'kbgate-lb', ...REPLICAS].sort());
    expect(service('chroma').image).toMatch(/^chromadb\/chroma:1\./);
    expect(service('kbgate-lb').image).toMatch(/^nginx:/);
    expect(mountsOf(service('chroma'))).toContainEqual({
      source: 'chroma-data',
      target: '/data',
      readOnly: false,
    });
  });

  it('should make every replica a stateless gateway over the Chroma service, with settings kbgate reads', () => {
    const known = new Set(CONFIG_VARIABLES.map((v) => v.name));
    for (const name of REPLICAS) {
      const env = environmentOf(service(name));
      expect(
        Object.keys(env).filter((v) => !known.has(v)),
        name,
      ).toEqual([]);
      const config = loadConfig(env);
      expect(config.chroma, name).toMatchObject({ url: 'http://chroma:8000' });
      expect(
        mountsOf(service(name)).map((m) => m.target),
        name,
      ).not.toContain('/data');
      expect(service(name).ports ?? [], name).toEqual([]);
    }
    const ingest = loadConfig(environmentOf(service('ingest-scale')));
    expect(ingest.chroma?.url).toBe('http://chroma:8000');
  });

  it('should health-check replicas on readiness and start them, nginx and the ingest job once what they need is healthy', () => {
    for (const name of REPLICAS) {
      expect(service(name).healthcheck?.test, name).toEqual([
        'CMD',
        'node',
        'scripts/healthcheck.mjs',
        '--ready',
      ]);
      expect(dependenciesOf(service(name))).toMatchObject({ chroma: 'service_healthy' });
    }
    expect(dependenciesOf(service('kbgate-lb'))).toEqual(
      Object.fromEntries(REPLICAS.map((name) => [name, 'service_healthy'])),
    );
    expect(dependenciesOf(service('ingest-scale'))).toEqual({ chroma: 'service_healthy' });
    expect(service('chroma').healthcheck?.test?.[0]).toBe('CMD');
    expect(service('kbgate-lb').healthcheck?.test).toContain('http://127.0.0.1:8080/api/v2/healthcheck');
  });

  it('should balance over exactly the three replicas on the port nginx publishes', () => {
    const conf = readRepoFile('deploy/nginx-scale.conf');
    const servers = [...conf.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers).toEqual(REPLICAS.map((name) => `${name}:8000`));
    const listen = Number(/^\s*listen\s+(\d+);/m.exec(conf)?.[1]);
    expect(portsOf(service('kbgate-lb')).map((p) => p.containerPort)).toEqual([listen]);
    expect(mountsOf(service('kbgate-lb'))).toContainEqual({
      source: './deploy/nginx-scale.conf',
      target: '/etc/nginx/conf.d/default.conf',
      readOnly: true,
    });
    expect(conf).toMatch(/proxy_buffering off;/);
  });

  const compose1 = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
  it.runIf(compose1)('should pass `docker-compose --profile scale config` with .env.example', () => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !referencedVariables(COMPOSE_TEXT).includes(name)),
    );
    const result = spawnSync(
      'docker-compose',
      ['-f', 'docker-compose.yml', '--env-file', '.env.example', '--profile', 'scale', 'config', '-q'],
      { cwd: ROOT, encoding: 'utf8', env: clean },
    );
    expect(result.stderr).not.toMatch(/error|invalid/i);
    expect(result.status).toBe(0);
  });
});

describe('deploy/kubernetes-gateway.yaml', () => {
  interface Probe {
    httpGet: { path: string };
  }
  interface Doc {
    kind: string;
    spec: {
      replicas?: number;
      selector: { matchLabels?: Record<string, string> } & Record<string, string>;
      template?: {
        spec: {
          containers: {
            env: { name: string; value?: string }[];
            volumeMounts: { mountPath: string }[];
            livenessProbe: Probe;
            readinessProbe: Probe;
          }[];
        };
      };
    };
  }
  const docs = parseAllDocuments(readRepoFile('deploy/kubernetes-gateway.yaml')).map((d) => d.toJS() as Doc);
  const deployment = docs.find((d) => d.kind === 'Deployment')!;
  const service = docs.find((d) => d.kind === 'Service')!;
  const container = deployment.spec.template!.spec.containers[0]!;

  it('should run several replicas with no volume of data, probed for liveness and readiness on public routes', () => {
    expect(deployment.spec.replicas).toBeGreaterThan(1);
    expect(container.livenessProbe.httpGet.path).toBe('/api/v2/heartbeat');
    expect(container.readinessProbe.httpGet.path).toBe('/api/v2/healthcheck');
    expect(PUBLIC_PATHS.has(container.livenessProbe.httpGet.path)).toBe(true);
    expect(PUBLIC_PATHS.has(container.readinessProbe.httpGet.path)).toBe(true);
    expect(docs.map((d) => d.kind)).not.toContain('PersistentVolumeClaim');
  });

  it('should configure a gateway over Chroma with settings kbgate reads, behind a Service selecting its pods', () => {
    const known = new Set(CONFIG_VARIABLES.map((v) => v.name));
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value ?? 'secret']));
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    expect(loadConfig(env).chroma?.url).toBe('http://chroma:8000');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });
});
