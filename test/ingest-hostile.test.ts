import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EphemeralClient, type Collection } from '../src/client.js';
import { syncFolders, type SyncOptions } from '../src/ingest/sync.js';

let base: string;
let kb: string;
let client: EphemeralClient;
let collection: Collection;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'kbgate-hostile-'));
  kb = path.join(base, 'kb');
  await mkdir(kb);
  client = new EphemeralClient({ defaultEmbedding: 'none' });
  collection = await client.createCollection({ name: 'docs' });
  // Named to sort after the hostile files, so a run that stopped at one of them would never store it.
  await writeFile(path.join(kb, 'z-good.md'), '# Good\n\nStill ingested.');
});

afterEach(async () => {
  client.close();
  await rm(base, { recursive: true, force: true });
});

/** Syncs the folder with one hostile file added; expects the good file stored and returns the report. */
async function syncWith(name: string, content: string, options: Partial<SyncOptions> = {}) {
  await writeFile(path.join(kb, name), content);
  const report = await syncFolders(collection, { folders: [kb], ...options });
  expect((await collection.get()).ids).toContain('z-good.md#0');
  return report;
}

function aliasBomb(): string {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const previous = String.fromCharCode(96 + i);
    levels.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${previous}`).join(',')}]`,
    );
  }
  return `---\n${levels.join('\n')}\n---\n# Bomb\n\nThe text is still read.\n`;
}

describe('hostile Markdown: each file fails alone and the run goes on', () => {
  it('should read a file whose frontmatter is a YAML alias bomb, without its frontmatter', async () => {
    const report = await syncWith('bomb.md', aliasBomb());
    expect(report.failures).toEqual([]);
    expect(report.warnings).toContainEqual({
      source: 'bomb.md',
      message: expect.stringContaining('YAML frontmatter ignored'),
    });
    expect((await collection.get({ ids: ['bomb.md#0'] })).documents?.[0]).toContain(
      'The text is still read.',
    );
  });

  it.each([
    ['quotes.md', `${'>'.repeat(10_000)} deep`],
    ['lists.md', `${'1. '.repeat(10_000)}deep`],
    ['jsx.mdx', `${'<a>'.repeat(10_000)}deep${'</a>'.repeat(10_000)}`],
  ])('should read %s, nested 10,000 levels deep, or fail it alone', async (name, content) => {
    const report = await syncWith(name, content, { parser: { seconds: 5, memoryMb: 256 } });
    const failures = report.failures.map((failure) => failure.reason);
    expect(report.added + failures.length).toBe(2);
    for (const reason of failures) expect(['over-limit', 'timeout']).toContain(reason);
  });

  it('should stop a file that parses for longer than the time budget', async () => {
    const report = await syncWith('slow.md', '- x\n'.repeat(40_000), { parser: { seconds: 3 } });
    expect(report.failures).toEqual([
      { source: 'slow.md', reason: 'timeout', message: 'took longer than 3 s to parse, the limit' },
    ]);
  });

  it('should stop a file that needs more memory than the budget', async () => {
    const headings = Array.from({ length: 50_000 }, (_, i) => `# Heading ${i}`).join('\n');
    const report = await syncWith('headings.md', headings, { parser: { memoryMb: 96 } });
    expect(report.failures).toEqual([
      { source: 'headings.md', reason: 'over-limit', message: expect.stringContaining('MiB of memory') },
    ]);
  });
});

describe('files without body text', () => {
  it('should store a file holding only a heading on its first ingest', async () => {
    const report = await syncWith('heading.md', '# Only a heading\n');
    expect(report.added).toBe(2);
    const stored = await collection.get({ ids: ['heading.md#0'] });
    expect(stored.documents?.[0]).toContain('Only a heading');
    expect(stored.metadatas?.[0]).toMatchObject({ heading: 'Only a heading', anchor: 'only-a-heading' });
    const again = await syncFolders(collection, { folders: [kb] });
    expect(again.unchanged).toBe(2);
  });

  it('should say that an empty file holds nothing to store', async () => {
    const report = await syncWith('empty.md', '\n\n');
    expect(report.warnings).toContainEqual({ source: 'empty.md', message: 'holds no text; nothing stored' });
  });
});
