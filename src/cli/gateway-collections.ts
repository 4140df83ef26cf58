/** `kbgate collections list | info | delete` in gateway mode: the collections of the Chroma server. */
import type { Config } from '../config.js';
import { embeddingOptionsFrom } from '../engine-factory.js';
import { ChromaGateway, type RemoteCollection } from '../gateway/chroma-gateway.js';
import type { CommandIo } from './collections.js';
import { lookAtEmbedding } from './embedding-status.js';

/** The gateway over the configured Chroma server (KBGATE_CHROMA_URL must be set). */
export function openGateway(config: Config): ChromaGateway {
  const embedding = embeddingOptionsFrom(config);
  return new ChromaGateway({
    settings: config.chroma!,
    resolveEmbedding: embedding.resolveEmbedding,
    defaultEmbedding: config.embedding,
    binding: { openaiUrl: config.embeddingUrl },
  });
}

/** Every collection of Chroma's tenant and database with its record count and binding, as rows of a table. */
export async function listRemoteCollections(config: Config, io: CommandIo): Promise<string[][] | null> {
  const gateway = openGateway(config);
  const remote = await gateway.listCollections();
  if (remote.length === 0) {
    io.stdout.write(`no collections in Chroma at ${config.chroma!.url} (${where(config)})\n`);
    return null;
  }
  const counts = await Promise.all(remote.map((c) => gateway.call('count', () => c.handle.count())));
  return [
    ['NAME', 'RECORDS', 'EMBEDDING', 'SPACE'],
    ...remote.map((c, i) => [c.name, String(counts[i]), c.binding ?? 'unknown', c.space]),
  ];
}

/** What kbgate knows of one remote collection. */
export async function describeRemoteCollection(config: Config, name: string): Promise<string[]> {
  const gateway = openGateway(config);
  const remote = await gateway.collection(name, true);
  const records = await gateway.call('count', () => remote.handle.count());
  return [
    `name:       ${remote.name}`,
    `id:         ${remote.id}`,
    `chroma:     ${config.chroma!.url} (${where(config)})`,
    `records:    ${records}`,
    `embedding:  ${bindingLine(remote, config)}`,
    `space:      ${remote.space}`,
    `metadata:   ${JSON.stringify(remote.metadata ?? {})}`,
  ];
}

/** Deletes a remote collection; one that holds records only with `yes`. Resolves to the exit code. */
export async function deleteRemoteCollection(
  config: Config,
  name: string,
  yes: boolean,
  io: CommandIo,
): Promise<number> {
  const gateway = openGateway(config);
  const remote = await gateway.collection(name, true);
  const records = await gateway.call('count', () => remote.handle.count());
  if (records > 0 && !yes) {
    io.stderr.write(`collection "${name}" holds ${records} records; add --yes to delete it with them\n`);
    return 1;
  }
  await gateway.deleteCollection(name);
  io.stdout.write(`deleted collection "${name}" from Chroma (${records} records)\n`);
  return 0;
}

function bindingLine(remote: RemoteCollection, config: Config): string {
  if (remote.binding === null) return 'unknown to kbgate (not created by kbgate): searched lexically only';
  const status = lookAtEmbedding(remote.binding, config);
  return `${remote.binding} (${status.ok === false ? 'NOT usable: ' : ''}${status.detail})`;
}

function where(config: Config): string {
  return `tenant ${config.chroma!.tenant}, database ${config.chroma!.database}`;
}
