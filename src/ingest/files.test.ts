import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInsideRoot, listDocumentFiles, readTextFile } from './files.js';

let base: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'kbgate-files-'));
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function write(relative: string, content: string | Buffer): Promise<string> {
  const file = path.join(base, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

describe('listDocumentFiles', () => {
  it('should list the files of every format as sorted relative POSIX paths', async () => {
    await write('kb/b.md', '# b');
    await write('kb/a/deep/c.mdx', '# c');
    await write('kb/a/d.markdown', '# d');
    for (const name of ['notes.txt', 'page.html', 'old.HTM', 'memo.docx', 'manual.pdf'])
      await write(`kb/f/${name}`, 'x');
    await write('kb/image.png', 'png');
    await write('kb/.hidden/e.md', '# e');
    const listing = await listDocumentFiles(path.join(base, 'kb'));
    expect(listing.files).toEqual([
      'a/d.markdown',
      'a/deep/c.mdx',
      'b.md',
      'f/manual.pdf',
      'f/memo.docx',
      'f/notes.txt',
      'f/page.html',
    ]);
    expect(listing.skipped).toEqual([]);
  });

  it('should honour a custom glob', async () => {
    await write('kb/notes/x.txt', 'x');
    await write('kb/y.md', 'y');
    const listing = await listDocumentFiles(path.join(base, 'kb'), { glob: 'notes/**/*.txt' });
    expect(listing.files).toEqual(['notes/x.txt']);
  });

  it('should never follow symlinks that lead outside the folder', async () => {
    await write('kb/inside.md', '# in');
    await write('outside/secret.md', '# secret');
    await write('outside/dir/deep.md', '# deep');
    await symlink(path.join(base, 'outside/secret.md'), path.join(base, 'kb/escape.md'));
    await symlink(path.join(base, 'outside/dir'), path.join(base, 'kb/escape-dir'));
    await symlink(base, path.join(base, 'kb/parent'));
    const listing = await listDocumentFiles(path.join(base, 'kb'));
    expect(listing.files).toEqual(['inside.md']);
    expect(listing.skipped).toEqual([
      { path: 'escape-dir', reason: 'outside-root' },
      { path: 'escape.md', reason: 'outside-root' },
      { path: 'parent', reason: 'outside-root' },
    ]);
  });

  it('should read symlinked files inside the folder but walk no symlinked folder', async () => {
    await write('kb/docs/a.md', '# a');
    await symlink(path.join(base, 'kb/docs/a.md'), path.join(base, 'kb/alias.md'));
    await symlink(path.join(base, 'kb'), path.join(base, 'kb/docs/loop'));
    const listing = await listDocumentFiles(path.join(base, 'kb'));
    expect(listing.files).toEqual(['alias.md', 'docs/a.md']);
    expect(listing.skipped).toEqual([]);
  });
});

describe('readTextFile', () => {
  it('should return the text without a byte order mark, and the raw bytes', async () => {
    const file = await write(
      'bom.md',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# 标题\n')]),
    );
    const result = await readTextFile(file, 1024);
    expect(result).toMatchObject({ ok: true, text: '# 标题\n' });
    expect(result.ok && result.bytes.length).toBe(3 + Buffer.byteLength('# 标题\n'));
  });

  it('should refuse binary files', async () => {
    const file = await write('bin.md', Buffer.from([0x23, 0x20, 0x00, 0x01, 0x02]));
    expect(await readTextFile(file, 1024)).toMatchObject({ ok: false, reason: 'binary' });
  });

  it('should read text that is not UTF-8 in the encoding detected, and say so', async () => {
    const text = '# Резервное копирование\n\nОстановите контейнер и сохраните том с данными.\n';
    const file = await write('cp1251.md', iconv.encode(text, 'windows-1251'));
    const result = await readTextFile(file, 1024);
    expect(result).toMatchObject({
      ok: true,
      text,
      encoding: { source: 'detected', encoding: 'windows-1251' },
    });
  });

  it('should read a file whose encoding cannot be decided as it is, and say so', async () => {
    const file = await write('latin1.md', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const result = await readTextFile(file, 1024);
    expect(result).toMatchObject({
      ok: true,
      text: 'caf\ufffd\n',
      encoding: { source: 'undecided', replaced: 1 },
    });
  });

  it('should refuse files over the size limit', async () => {
    const file = await write('big.md', 'x'.repeat(2048));
    expect(await readTextFile(file, 1024)).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('should report missing files and folders instead of throwing', async () => {
    expect(await readTextFile(path.join(base, 'missing.md'), 1024)).toMatchObject({
      ok: false,
      reason: 'unreadable',
    });
    await mkdir(path.join(base, 'folder.md'));
    const folder = await readTextFile(path.join(base, 'folder.md'), 1024);
    expect(folder.ok).toBe(false);
  });
});

describe('isInsideRoot', () => {
  it('should accept the root and paths below it only', () => {
    expect(isInsideRoot('/r/kb', '/r/kb')).toBe(true);
    expect(isInsideRoot('/r/kb', '/r/kb/a/b.md')).toBe(true);
    expect(isInsideRoot('/r/kb', '/r/kb-other/a.md')).toBe(false);
    expect(isInsideRoot('/r/kb', '/r/a.md')).toBe(false);
    expect(isInsideRoot('/r/kb', '/r/kb/..file')).toBe(true);
  });
});
