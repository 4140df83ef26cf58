import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';
import { openEngine } from '../../src/engine-factory.js';
import { createApp } from '../../src/http/app.js';
import { PUBLIC_PATHS } from '../../src/http/auth.js';
import { METRICS_PATH } from '../../src/http/metrics.js';
import { ROOT } from '../deployment/compose-file.js';
import { makeTempDir } from '../helpers/clients.js';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The metric families a kbgate server exports (names from `# TYPE` lines), with a data directory and readiness. */
async function exportedFamilies(): Promise<Set<string>> {
  const dir = makeTempDir('kbgate-deploy-');
  const config = loadConfig({ KBGATE_DATA_DIR: dir.path, KBGATE_EMBEDDING: 'none' });
  const { engine } = openEngine({ path: dir.path, defaultEmbedding: 'none' });
  try {
    const readiness = () => ({ ready: true, checks: { starting: null, store: null, upstream: null } });
    const res = await request(createApp({ engine, config, readiness })).get(METRICS_PATH).expect(200);
    return new Set([...res.text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  } finally {
    engine.close();
    dir.dispose();
  }
}

describe('deploy/grafana-dashboard.json', () => {
  it('should query only metrics that kbgate exports', async () => {
    const dashboard = JSON.parse(read('deploy/grafana-dashboard.json')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(20);
    const families = await exportedFamilies();
    const used = new Set(
      exprs.flatMap((e) => [...e.matchAll(/\b((?:kbgate|process|nodejs)_\w+)/g)].map((m) => m[1]!)),
    );
    const missing = [...used].filter((name) => !families.has(name.replace(/_(bucket|count|sum)$/, '')));
    expect(missing).toEqual([]);
  });
});

/** The parts of a Kubernetes Deployment these tests read. */
interface Probe {
  httpGet: { path: string };
}
interface Container {
  env: { name: string; value?: string }[];
  ports: { containerPort: number }[];
  volumeMounts: { mountPath: string }[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe: Probe;
}
interface Deployment {
  kind: string;
  spec: { replicas: number; strategy: { type: string }; template: { spec: { containers: Container[] } } };
}

describe('deploy/kubernetes.yaml', () => {
  const docs = parseAllDocuments(read('deploy/kubernetes.yaml')).map((d) => d.toJS() as Deployment);
  const deployment = docs.find((d) => d.kind === 'Deployment')!;
  const container = deployment.spec.template.spec.containers[0]!;

  it('should probe liveness on the heartbeat and readiness on the healthcheck, both public', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/api/v2/heartbeat');
    expect(container.startupProbe.httpGet.path).toBe('/api/v2/heartbeat');
    expect(container.readinessProbe.httpGet.path).toBe('/api/v2/healthcheck');
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      expect(PUBLIC_PATHS.has(container[probe].httpGet.path), probe).toBe(true);
    }
  });

  it('should run one replica on its volume with settings kbgate reads', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe('Recreate');
    const known = new Set(CONFIG_VARIABLES.map((v) => v.name));
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value ?? 'secret']));
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    const config = loadConfig(env);
    expect(container.volumeMounts.map((m) => m.mountPath)).toContain(config.dataDir);
    expect(container.ports[0]?.containerPort).toBe(config.port);
  });
});

describe('deploy/prometheus.yml', () => {
  it('should scrape /metrics with credentials', () => {
    const file = parse(read('deploy/prometheus.yml')) as {
      scrape_configs: { metrics_path: string; authorization: { type: string } }[];
    };
    const [job] = file.scrape_configs;
    expect(job!.metrics_path).toBe(METRICS_PATH);
    expect(job!.authorization.type).toBe('Bearer');
  });
});
