/** `kbgate collections list | info | delete | rebind`: the collections of the data directory, for a person. */
import { SingleBar } from 'cli-progress';
import type { Config } from '../config.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../engine/database.js';
import { embeddingOptionsFrom, openEngine } from '../engine-factory.js';
import { isEngineError } from '../engine/errors.js';
import type { CollectionModel } from '../engine/types.js';
import { lookAtEmbedding } from './embedding-status.js';
import {
  deleteRemoteCollection,
  describeRemoteCollection,
  listRemoteCollections,
} from './gateway-collections.js';
import { rebindCollection, type RebindProgress } from './rebind-collection.js';

/** Where a collections command writes. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** One collection as `list` shows it. */
export interface CollectionSummary {
  name: string;
  records: number;
  embedding: string | null;
  dimension: number | null;
}

/** Opens the configured data directory, runs `use` and closes it again. */
export async function withEngine<T>(config: Config, use: (engine: Engine) => Promise<T>): Promise<T> {
  if (config.dataDir === null)
    throw new Error('KBGATE_DATA_DIR is :memory:; there is nothing stored to manage');
  const { engine } = openEngine({ path: config.dataDir, ...embeddingOptionsFrom(config) });
  try {
    return await use(engine);
  } finally {
    engine.close();
  }
}

/** Every collection of the default database with its record count and binding. */
export async function summarizeCollections(engine: Engine): Promise<CollectionSummary[]> {
  const models = engine.listCollections(DEFAULT_TENANT, DEFAULT_DATABASE);
  return Promise.all(
    models.map(async (model) => ({
      name: model.name,
      records: await engine.count(model.id),
      embedding: model.embedding,
      dimension: model.dimension,
    })),
  );
}

/** `kbgate collections list`: a table of name, records, embedding and dimension. */
export async function listCollections(config: Config, io: CommandIo): Promise<number> {
  if (config.chroma !== null) {
    const table = await listRemoteCollections(config, io);
    if (table !== null) io.stdout.write(formatTable(table));
    return 0;
  }
  const summaries = await withEngine(config, summarizeCollections);
  if (summaries.length === 0) {
    io.stdout.write(`no collections in ${config.dataDir}\n`);
    return 0;
  }
  const rows = [
    ['NAME', 'RECORDS', 'EMBEDDING', 'DIMENSION'],
    ...summaries.map((s) => [s.name, String(s.records), s.embedding ?? 'none', String(s.dimension ?? '-')]),
  ];
  io.stdout.write(formatTable(rows));
  return 0;
}

/** `kbgate collections info NAME`: everything kbgate knows about one collection. */
export async function showCollection(config: Config, name: string, io: CommandIo): Promise<number> {
  if (config.chroma !== null) {
    io.stdout.write(`${(await describeRemoteCollection(config, name)).join('\n')}\n`);
    return 0;
  }
  const lines = await withEngine(config, async (engine) => {
    const model = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, name);
    return describeCollection(
      model,
      await engine.count(model.id),
      await countSources(engine, model.id),
      config,
    );
  });
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function describeCollection(
  model: CollectionModel,
  records: number,
  sources: number,
  config: Config,
): string[] {
  const status = lookAtEmbedding(model.embedding, config);
  const usable = status.ok === false ? 'NOT usable: ' : '';
  return [
    `name:       ${model.name}`,
    `id:         ${model.id}`,
    `records:    ${records} (from ${sources} ingested source files)`,
    `embedding:  ${model.embedding ?? 'none'} (${usable}${status.detail})`,
    `dimension:  ${model.dimension ?? '-'}`,
    `space:      ${model.hnsw.space}`,
    `metadata:   ${JSON.stringify(model.metadata ?? {})}`,
  ];
}

async function countSources(engine: Engine, id: string): Promise<number> {
  const sources = new Set<unknown>();
  const pageSize = 1000;
  for (let offset = 0; ; offset += pageSize) {
    const page = await engine.get(id, { include: ['metadatas'], limit: pageSize, offset });
    for (const meta of page.metadatas ?? []) if (meta?.source !== undefined) sources.add(meta.source);
    if (page.ids.length < pageSize) return sources.size;
  }
}

/** `kbgate collections delete NAME [--yes]`: a collection that holds records is only deleted with --yes. */
export async function deleteCollection(
  config: Config,
  name: string,
  options: { yes?: boolean },
  io: CommandIo,
): Promise<number> {
  if (config.chroma !== null) return deleteRemoteCollection(config, name, options.yes ?? false, io);
  return withEngine(config, async (engine) => {
    const model = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, name);
    const records = await engine.count(model.id);
    if (records > 0 && !options.yes) {
      io.stderr.write(`collection "${name}" holds ${records} records; add --yes to delete it with them\n`);
      return 1;
    }
    engine.deleteCollection(DEFAULT_TENANT, DEFAULT_DATABASE, name);
    io.stdout.write(`deleted collection "${name}" (${records} records)\n`);
    return 0;
  });
}

/** `kbgate collections rebind NAME --embedding X`: re-embeds what is stored with another function, with progress. */
export async function rebind(
  config: Config,
  name: string,
  embedding: string,
  io: CommandIo,
): Promise<number> {
  if (config.chroma !== null) {
    io.stderr.write(
      `kbgate: rebind is not available in gateway mode (KBGATE_CHROMA_URL): create a collection with the other ` +
        `function (KBGATE_EMBEDDING=${embedding} kbgate ingest <folder> --collection <new name>) and switch ` +
        `KBGATE_COLLECTION to it\n`,
    );
    return 1;
  }
  const progress = createProgress(io);
  let result;
  try {
    result = await withEngine(config, (engine) => rebindCollection(engine, name, embedding, progress.update));
  } catch (error) {
    const message = isEngineError(error) ? error.message : String(error);
    io.stderr.write(`kbgate: rebind stopped, collection "${name}" is unchanged: ${message}\n`);
    return 1;
  } finally {
    progress.stop();
  }
  if (result.from === result.to) {
    io.stdout.write(`collection "${name}" is already bound to ${JSON.stringify(embedding)}; nothing to do\n`);
  } else {
    const from = JSON.stringify(result.from ?? 'none');
    io.stdout.write(
      `collection "${name}": ${result.records} records re-embedded, ${from} -> "${embedding}"\n`,
    );
  }
  return 0;
}

/** A bar on a terminal; elsewhere a line at the start, every 10% and the end. */
function createProgress(io: CommandIo): { update: (p: RebindProgress) => void; stop: () => void } {
  if (io.stderr.isTTY) {
    const bar = new SingleBar({ stream: io.stderr, format: 'rebind {bar} {value}/{total} records' });
    let started = false;
    return {
      update: ({ done, total }) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let shown = -1;
  return {
    update: ({ done, total }) => {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth === shown) return;
      shown = tenth;
      io.stderr.write(`rebind: ${done}/${total} records\n`);
    },
    stop: () => {},
  };
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows
    .map(
      (row) =>
        row
          .map((cell, col) => cell.padEnd(widths[col] ?? 0))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}
