/**
 * The format mix of `npm run bench:ingest`: the same generated documents as Markdown, plain text (UTF-8 and
 * Windows-1251), HTML, Word and PDF, each format ingested on its own into a fresh lexical-only collection.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { PersistentClient } from '../src/client.js';
import { syncFolders, type SyncReport } from '../src/ingest/sync.js';
import { makeDocx, makePdf, type DocxBlock, type PdfPage } from '../test/helpers/document-fixtures.js';
import { mulberry32 } from '../test/helpers/random-data.js';

interface Doc {
  title: string;
  sections: { heading: string; paragraphs: string[] }[];
}

interface Format {
  name: string;
  extension: string;
  render(doc: Doc): Promise<Buffer>;
}

const EN = [
  'index',
  'query',
  'vector',
  'server',
  'plugin',
  'model',
  'chunk',
  'token',
  'search',
  'cache',
  'backup',
];
const RU = [
  'индекс',
  'запрос',
  'вектор',
  'сервер',
  'модель',
  'поиск',
  'кэш',
  'резервная',
  'копия',
  'контейнер',
];

function generate(count: number, words: string[], seed: number): Doc[] {
  const random = mulberry32(seed);
  const pick = (): string => words[Math.floor(random() * words.length)] as string;
  const sentence = (): string => {
    const text = Array.from({ length: 8 + Math.floor(random() * 10) }, pick).join(' ');
    return `${text[0]?.toUpperCase()}${text.slice(1)}.`;
  };
  return Array.from({ length: count }, (_, i) => ({
    title: `Document ${i}`,
    sections: Array.from({ length: 4 }, (_, s) => ({
      heading: `${pick()} ${s + 1}`,
      paragraphs: Array.from({ length: 3 }, () => Array.from({ length: 4 }, sentence).join(' ')),
    })),
  }));
}

const markdown = (doc: Doc): string =>
  [`# ${doc.title}`, ...doc.sections.flatMap((s) => [`## ${s.heading}`, ...s.paragraphs])].join('\n\n') +
  '\n';
const plain = (doc: Doc): string =>
  [doc.title, ...doc.sections.flatMap((s) => [s.heading, ...s.paragraphs])].join('\n\n') + '\n';

const FORMATS: Format[] = [
  { name: 'Markdown', extension: 'md', render: async (doc) => Buffer.from(markdown(doc)) },
  { name: 'text (UTF-8)', extension: 'txt', render: async (doc) => Buffer.from(plain(doc)) },
  {
    name: 'text (Windows-1251)',
    extension: 'txt',
    render: async (doc) => iconv.encode(plain(doc), 'windows-1251'),
  },
  {
    name: 'HTML',
    extension: 'html',
    render: async (doc) =>
      Buffer.from(
        `<html><head><title>${doc.title}</title></head><body><nav><a href="/">Home</a></nav><h1>${doc.title}</h1>` +
          doc.sections
            .map((s) => `<h2>${s.heading}</h2>${s.paragraphs.map((p) => `<p>${p}</p>`).join('')}`)
            .join('') +
          '</body></html>',
      ),
  },
  {
    name: 'Word',
    extension: 'docx',
    render: (doc) =>
      makeDocx([
        { heading: doc.title, level: 0 },
        ...doc.sections.flatMap((s): DocxBlock[] => [
          { heading: s.heading, level: 1 },
          ...s.paragraphs.map((paragraph) => ({ paragraph })),
        ]),
      ]),
  },
  {
    name: 'PDF (2 pages)',
    extension: 'pdf',
    render: (doc) => makePdf(pdfPages(doc)),
  },
];

/** Two pages of two sections each, paragraphs wrapped at about 90 characters. */
function pdfPages(doc: Doc): PdfPage[] {
  const lines = (s: Doc['sections'][number]) => [
    { text: s.heading, size: 15 },
    ...s.paragraphs.flatMap((p) => p.match(/.{1,90}(\s|$)/g) ?? []).map((text) => text.trim()),
  ];
  return [
    { lines: [{ text: doc.title, size: 20 }, ...doc.sections.slice(0, 2).flatMap(lines)] },
    { lines: doc.sections.slice(2).flatMap(lines) },
  ];
}

function line(label: string, files: number, bytes: number, report: SyncReport): string {
  const s = report.seconds;
  return `| ${label} | ${files} | ${(bytes / 1024 / 1024).toFixed(1)} MiB | ${s.toFixed(2)} s | ${(files / s).toFixed(0)} | ${(bytes / 1024 / 1024 / s).toFixed(2)} | ${(report.chunks / s).toFixed(0)} |`;
}

/** Generates `count` documents per format under `base` and prints one table row per format. */
export async function benchFormatMix(base: string, count: number): Promise<void> {
  console.log(
    `\nformat mix: ${count} documents per format (4 sections of 3 paragraphs), each format on its own`,
  );
  console.log('| format | files | size | first ingest | files/s | MiB/s | chunks/s |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const client = new PersistentClient({ path: path.join(base, 'mix-data'), defaultEmbedding: 'none' });
  try {
    for (const [i, format] of FORMATS.entries()) {
      const folder = path.join(base, `mix-${i}`);
      await mkdir(folder, { recursive: true });
      const docs = generate(count, format.name.includes('1251') ? RU : EN, 7 + i);
      let bytes = 0;
      for (const [n, doc] of docs.entries()) {
        const content = await format.render(doc);
        bytes += content.length;
        await writeFile(path.join(folder, `doc-${n}.${format.extension}`), content);
      }
      const collection = await client.getOrCreateCollection({ name: `mix-${i}` });
      const report = await syncFolders(collection, { folders: [folder] });
      if (report.failed > 0) throw new Error(`${format.name}: ${report.failures[0]?.message}`);
      console.log(line(format.name, count, bytes, report));
    }
  } finally {
    client.close();
  }
}
