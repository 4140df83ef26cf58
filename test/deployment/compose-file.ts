/** Reads docker-compose.yml the way Compose sees it: YAML parsed, then `${VAR}` interpolated from an env file. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The parts of a Compose service these tests look at. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  ports?: string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: string[];
  restart?: string;
  profiles?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean; start_period?: string };
  depends_on?: Record<string, { condition?: string }> | string[];
  deploy?: {
    resources?: { reservations?: { devices?: { driver?: string; capabilities?: string[] }[] } };
  };
}

/** The parts of a Compose file these tests look at. */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** A `host:container` port mapping. */
export interface PortMapping {
  hostIp: string | null;
  hostPort: number;
  containerPort: number;
}

/** A `source:target[:mode]` mount. */
export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** Reads a file of the repository as text. */
export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Parses `KEY=VALUE` lines of an env file; comments and blank lines are skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match === null) continue;
    env[match[1]!] = match[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/** Replaces `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}` and `$$` as Compose does. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(VARIABLE, (match, name: string | undefined, op: string | undefined, arg: string) => {
    if (match === '$$' || name === undefined) return '$';
    const value = env[name];
    const empty = value === undefined || value === '';
    if (op === ':-') return empty ? arg : value;
    if (op === '-') return value ?? arg;
    if ((op === ':?' && empty) || (op === '?' && value === undefined)) {
      throw new Error(`required variable ${name} is missing: ${arg}`);
    }
    return value ?? '';
  });
}

/** Names of the variables the text requires (`${VAR:?...}` or `${VAR?...}`). */
export function requiredVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(VARIABLE)) {
    if (match[1] !== undefined && match[2]?.endsWith('?')) names.add(match[1]);
  }
  return [...names].sort();
}

/** Every variable the text refers to. */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(VARIABLE)) if (match[1] !== undefined) names.add(match[1]);
  return [...names].sort();
}

function interpolateDeep(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env)]));
  }
  return value;
}

/** Parses Compose YAML and interpolates it with `env`. */
export function parseCompose(text: string, env: Record<string, string | undefined>): ComposeFile {
  const doc: unknown = parse(text);
  if (doc === null || typeof doc !== 'object' || !('services' in doc)) {
    throw new Error('not a Compose file: no services');
  }
  return interpolateDeep(doc, env) as ComposeFile;
}

/** The service's environment as a map, whichever form the file uses. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** The service's published ports. */
export function portsOf(service: ComposeService): PortMapping[] {
  return (service.ports ?? []).map((spec) => {
    const parts = String(spec)
      .replace(/\/tcp$/, '')
      .split(':');
    if (parts.length < 2) throw new Error(`port ${spec} is not published on a fixed host port`);
    const containerPort = Number(parts.pop());
    const hostPort = Number(parts.pop());
    return { hostIp: parts.length > 0 ? parts.join(':') : null, hostPort, containerPort };
  });
}

/** The service's volume mounts. */
export function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((spec) => {
    const [source = '', target = '', mode = ''] = spec.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

/** The service's command as an argument list. */
export function commandOf(service: ComposeService): string[] {
  const command = service.command ?? [];
  return Array.isArray(command) ? command : command.split(/\s+/);
}

/** The value following `flag` in the service's command, or undefined. */
export function argumentOf(service: ComposeService, flag: string): string | undefined {
  const args = commandOf(service);
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

/** The service's dependencies with their start conditions. */
export function dependenciesOf(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition]));
}
