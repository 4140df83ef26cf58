/** The few lines a person sees once kbgate listens: where everything is, what is stored, and what to do next. */
import path from 'node:path';
import type { Config } from '../config.js';
import type { Engine } from '../engine/database.js';
import type { ChromaGateway } from '../gateway/chroma-gateway.js';
import { hnswlibVariant } from '../vector/hnswlib-binding.js';
import { summarizeCollections } from './collections.js';
import { lookAtEmbedding } from './embedding-status.js';

/** What the summary describes. */
export interface StartupFacts {
  config: Config;
  /** The embedded database; null in gateway mode. */
  engine: Engine | null;
  /** The Chroma server of gateway mode; null (or absent) in embedded mode. */
  gateway?: ChromaGateway | null;
  /** The URL the server listens at, as {@link startServer} reports it. */
  url: string;
  version: string;
  /** How this user runs the ingester (`npm run ingest --`, `kbgate ingest`). */
  ingestCommand: string;
}

/** Renders the start-up summary: URLs, data directory, collections, embedding and the next step. */
export async function describeStartup(facts: StartupFacts): Promise<string> {
  const { config } = facts;
  const base = browsableUrl(facts.url);
  if (facts.engine === null) return describeGateway(facts, base);
  const collections = await summarizeCollections(facts.engine);
  const active = collections.find((c) => c.name === config.collection);
  const embedding = lookAtEmbedding(config.embedding, config);
  const lines = [
    `kbgate ${facts.version} is listening on ${base}`,
    `  Chroma API       ${base}/api/v2 (chromadb clients: host ${new URL(base).hostname}, port ${new URL(base).port || 80})`,
    `  API docs         ${base}/docs`,
    `  Plugin search    POST ${base}/search, described by ${config.publicUrl}/openapi.yaml`,
    `  Retrieval proxy  ${proxyLine(base, config)}`,
    `  Data directory   ${config.dataDir === null ? 'none: in memory, lost on exit' : path.resolve(config.dataDir)}`,
    `  Access           ${accessLine(config)}`,
    ...collectionLines(collections, config.collection),
    `  Embedding        ${config.embedding} for new collections: ${embedding.ok === false ? 'NOT available: ' : ''}${embedding.detail}`,
    `  Vector search    hnswlib-node, ${hnswlibVariant.variant === 'avx2' ? 'AVX2 build' : 'stock build'} (${hnswlibVariant.reason})`,
  ];
  if (!active || active.records === 0) lines.push(nextStep(facts, embedding.ok === false));
  return `${lines.join('\n')}\n`;
}

/** The summary of a gateway: where Chroma is and what it holds (or that it cannot be reached yet). */
async function describeGateway(facts: StartupFacts, base: string): Promise<string> {
  const { config } = facts;
  const chroma = config.chroma!;
  let collections: string[];
  try {
    const remote = (await facts.gateway?.listCollections()) ?? [];
    const counts = await Promise.all(remote.map((c) => c.handle.count()));
    const summaries = remote.map((c, i) => ({ name: c.name, records: counts[i] ?? 0, embedding: c.binding }));
    collections = collectionLines(summaries, config.collection);
  } catch (err) {
    collections = [
      `  Collections      unknown: ${(err as Error).message} (readiness reports it until Chroma answers)`,
    ];
  }
  const lines = [
    `kbgate ${facts.version} is listening on ${base} as a gateway over Chroma`,
    `  Chroma           ${chroma.url} (tenant ${chroma.tenant}, database ${chroma.database}); kbgate stores nothing itself`,
    `  Plugin search    POST ${base}/search, described by ${config.publicUrl}/openapi.yaml`,
    `  Retrieval proxy  ${proxyLine(base, config)}`,
    `  Readiness        ${base}/api/v2/healthcheck (503 while Chroma cannot be reached)`,
    `  Access           ${accessLine(config)}`,
    ...collections,
  ];
  return `${lines.join('\n')}\n`;
}

/** `0.0.0.0` and `::` are not addresses a browser can open; the loopback address is. */
function browsableUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

function proxyLine(base: string, config: Config): string {
  if (config.upstreamUrl === null)
    return "off: set KBGATE_UPSTREAM_URL to FastChat's API (e.g. http://127.0.0.1:8001/v1)";
  return `${base}/v1 (NextChat BASE_URL ${base}) -> ${config.upstreamUrl}`;
}

function accessLine(config: Config): string {
  const read = config.readTokens.length;
  const readOnly = read > 0 ? `; ${read} read-only, KBGATE_READ_TOKEN` : '';
  if (config.authToken !== null) return `token required (KBGATE_AUTH_TOKEN${readOnly})`;
  if (read > 0 && config.htpasswdFile === null) return 'read-only tokens only (KBGATE_READ_TOKEN): no writes';
  if (config.htpasswdFile !== null) return `HTTP Basic users of ${config.htpasswdFile}`;
  return 'open: anyone who reaches the port can read and write (set KBGATE_AUTH_TOKEN)';
}

function collectionLines(
  collections: { name: string; records: number; embedding: string | null }[],
  active: string,
): string[] {
  const label = '  Collections      ';
  if (collections.length === 0) return [`${label}none yet`];
  return collections.map((c, i) => {
    const mark = c.name === active ? ' <- searched by the plugin and proxy (KBGATE_COLLECTION)' : '';
    const text = `${c.name}: ${c.records} records, embedding ${c.embedding ?? 'none'}${mark}`;
    return (i === 0 ? label : ' '.repeat(label.length)) + text;
  });
}

function nextStep({ config, ingestCommand }: StartupFacts, noModel: boolean): string {
  const lines = [
    `Next: fill the "${config.collection}" collection from a folder of Markdown files (same KBGATE_* settings):`,
    `  ${ingestCommand} <folder>`,
  ];
  if (noModel)
    lines.push(`  or, lexical-only without the model: KBGATE_EMBEDDING=none ${ingestCommand} <folder>`);
  return lines.join('\n');
}
