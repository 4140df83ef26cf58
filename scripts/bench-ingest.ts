/**
 * `npm run bench:ingest -- [files] [--mix <documents per format>]`: ingest throughput on a generated Markdown
 * corpus (seeded), lexical-only, then on a format mix (Markdown, plain text in UTF-8 and Windows-1251, HTML, Word,
 * PDF; `--mix 0` skips it).
 *
 * Reports parse+chunk alone, a first full ingest into a fresh data directory, an unchanged rerun and a rerun
 * after editing a tenth of the files; then a first ingest per format. Embedding cost is left out (see
 * bench:embed); the collections have none.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PersistentClient } from '../src/client.js';
import { chunkDocument } from '../src/ingest/chunk.js';
import { listDocumentFiles } from '../src/ingest/files.js';
import { parseMarkdown } from '../src/ingest/markdown.js';
import { syncFolders, type SyncReport } from '../src/ingest/sync.js';
import { mulberry32 } from '../test/helpers/random-data.js';
import { benchFormatMix } from './bench-ingest-formats.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { mix: { type: 'string' } } });
const FILES = Number(positionals[0] ?? 3000);
const MIX = Number(values.mix ?? 300);
const WORDS = ['index', 'query', 'vector', 'server', 'plugin', 'model', 'chunk', 'token', 'search', 'cache'];
const CJK = ['知识库', '检索', '向量', '文档', '模型'];

const random = mulberry32(42);
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
const count = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

function sentence(): string {
  if (random() < 0.1) return Array.from({ length: count(3, 8) }, () => pick(CJK)).join('') + '。';
  const words = Array.from({ length: count(6, 16) }, () => pick(WORDS)).join(' ');
  return words[0]?.toUpperCase() + words.slice(1) + '.';
}

function block(): string {
  const kind = random();
  if (kind < 0.6) return Array.from({ length: count(2, 7) }, sentence).join(' ');
  if (kind < 0.75)
    return [
      '```ts',
      ...Array.from({ length: count(3, 20) }, (_, i) => `const v${i} = ${i}; # x`),
      '```',
    ].join('\n');
  if (kind < 0.85)
    return [
      '| key | value |',
      '| --- | --- |',
      ...Array.from({ length: count(2, 10) }, (_, i) => `| k${i} | ${pick(WORDS)} |`),
    ].join('\n');
  return Array.from({ length: count(2, 8) }, () => `- ${sentence()}`).join('\n');
}

function document(i: number): string {
  const parts = [`---\ntitle: Document ${i}\ntags: [${pick(WORDS)}, ${pick(WORDS)}]\n---`, `# Document ${i}`];
  for (let s = 0; s < count(2, 8); s++) {
    parts.push(`## ${pick(WORDS)} ${s}`);
    for (let b = 0; b < count(1, 5); b++) parts.push(block());
  }
  return parts.join('\n\n') + '\n';
}

async function generate(root: string): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const file = path.join(root, `section-${i % 20}`, `doc-${i}.md`);
    await mkdir(path.dirname(file), { recursive: true });
    const text = document(i);
    bytes += Buffer.byteLength(text);
    await writeFile(file, text);
  }
  return bytes;
}

async function timeParseAndChunk(root: string): Promise<{ seconds: number; chunks: number }> {
  const { files } = await listDocumentFiles(root);
  const texts = await Promise.all(files.map((file) => readFile(path.join(root, file), 'utf8')));
  const started = performance.now();
  let chunks = 0;
  for (const text of texts) chunks += chunkDocument(parseMarkdown(text)).length;
  return { seconds: (performance.now() - started) / 1000, chunks };
}

function line(label: string, report: SyncReport): string {
  const files = report.added + report.updated + report.unchanged;
  return `${label.padEnd(22)} ${report.seconds.toFixed(2).padStart(7)} s  ${(files / report.seconds).toFixed(0).padStart(6)} files/s  ${(report.chunks / report.seconds).toFixed(0).padStart(6)} chunks/s  (${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.chunks} chunks)`;
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'kbgate-bench-ingest-'));
  try {
    const root = path.join(base, 'kb');
    const bytes = await generate(root);
    console.log(`corpus: ${FILES} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB (seeded)`);
    const parsed = await timeParseAndChunk(root);
    console.log(
      `${'parse + chunk only'.padEnd(22)} ${parsed.seconds.toFixed(2).padStart(7)} s  ${(FILES / parsed.seconds).toFixed(0).padStart(6)} files/s  ${(parsed.chunks / parsed.seconds).toFixed(0).padStart(6)} chunks/s`,
    );
    const client = new PersistentClient({ path: path.join(base, 'data'), defaultEmbedding: 'none' });
    try {
      const collection = await client.getOrCreateCollection({ name: 'bench' });
      console.log(line('first ingest', await syncFolders(collection, { folders: [root] })));
      console.log(line('unchanged rerun', await syncFolders(collection, { folders: [root] })));
      for (let i = 0; i < FILES; i += 10) {
        await writeFile(path.join(root, `section-${i % 20}`, `doc-${i}.md`), document(i + FILES));
      }
      console.log(line('10% edited rerun', await syncFolders(collection, { folders: [root] })));
    } finally {
      client.close();
    }
    if (MIX > 0) await benchFormatMix(base, MIX);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
