import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { describeRecordStoreContract } from '../../test/helpers/record-store-contract.js';

const tempDirs: string[] = [];

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function fileStore(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'kbgate-store-'));
  tempDirs.push(dir);
  return new SqliteStore(join(dir, 'kb.sqlite'));
}

describeRecordStoreContract('SqliteStore in memory', () => new SqliteStore(':memory:'));
describeRecordStoreContract('SqliteStore on a file', fileStore);
