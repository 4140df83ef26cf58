import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTempFiles } from './index-files.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kbgate-index-files-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A pid no process has (above Linux's pid_max). */
const GONE_PID = 4_194_305;
const NOW = Date.now();

function touch(name: string, ageMs: number): void {
  const path = join(dir, name);
  writeFileSync(path, 'x');
  const when = (NOW - ageMs) / 1000;
  utimesSync(path, when, when);
}

describe('removeStaleTempFiles', () => {
  it('should remove what saves of processes that are gone left, and keep saves that may be running', () => {
    touch(`a.hnsw.${GONE_PID}.0a1b2c.tmp`, 5 * 60_000);
    touch(`a.hnsw.json.${GONE_PID}.0a1b2c.tmp`, 5 * 60_000);
    touch(`b.hnsw.${process.pid}.99ff.tmp`, 5 * 60_000);
    touch(`c.hnsw.${GONE_PID}.1234.tmp`, 10_000);
    touch(`d.hnsw.${process.ppid}.5678.tmp`, 5 * 60_000);
    touch(`e.hnsw.${process.ppid}.9abc.tmp`, 2 * 60 * 60_000);
    touch('f.hnsw', 5 * 60_000);
    touch('f.hnsw.json', 5 * 60_000);

    const removed = removeStaleTempFiles(dir, NOW);

    expect(removed.sort()).toEqual([
      `a.hnsw.${GONE_PID}.0a1b2c.tmp`,
      `a.hnsw.json.${GONE_PID}.0a1b2c.tmp`,
      `b.hnsw.${process.pid}.99ff.tmp`,
      `e.hnsw.${process.ppid}.9abc.tmp`,
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      `c.hnsw.${GONE_PID}.1234.tmp`,
      `d.hnsw.${process.ppid}.5678.tmp`,
      'f.hnsw',
      'f.hnsw.json',
    ]);
  });

  it('should do nothing for a folder that does not exist', () => {
    expect(removeStaleTempFiles(join(dir, 'missing'))).toEqual([]);
  });
});
