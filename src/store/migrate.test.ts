import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, readUserVersion, runMigrations, type Migration } from './migrate.js';

describe('runMigrations', () => {
  it('should bring a new database to the latest version', () => {
    const db = new BetterSqlite3(':memory:');
    runMigrations(db);
    expect(readUserVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'records'").pluck().get()).toBe(1);
    db.close();
  });

  it('should apply each migration only once when run again', () => {
    const db = new BetterSqlite3(':memory:');
    const steps: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE t (x INTEGER)' },
      { version: 2, name: 'two', sql: 'INSERT INTO t VALUES (1)' },
    ];
    runMigrations(db, steps);
    runMigrations(db, steps);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
    expect(readUserVersion(db)).toBe(2);
    db.close();
  });

  it('should leave the version unchanged when a migration fails', () => {
    const db = new BetterSqlite3(':memory:');
    const steps: Migration[] = [{ version: 1, name: 'bad', sql: 'CREATE TABLE ok (x); NOT SQL' }];
    expect(() => runMigrations(db, steps)).toThrow();
    expect(readUserVersion(db)).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'ok'").pluck().get()).toBe(0);
    db.close();
  });
});
