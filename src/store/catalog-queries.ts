/** SQL for the catalog: tenants, databases and collections. */
import type { StatementCache } from './statement-cache.js';
import { rethrowConstraint } from './sqlite-errors.js';
import { alreadyExists, notFound } from '../engine/errors.js';
import type { Schema } from '../engine/collection-schema.js';
import type { CollectionPatch, Page } from '../engine/ports.js';
import type { CollectionModel, Database, HnswParams, Metadata, Tenant } from '../engine/types.js';

interface CollectionRow {
  id: string;
  name: string;
  tenant: string;
  database: string;
  metadata: string | null;
  configuration: string;
  hnsw: string;
  dimension: number | null;
  embedding: string | null;
  schema: string | null;
}

const COLLECTION_COLUMNS =
  'id, name, tenant, database, metadata, configuration, hnsw, dimension, embedding, schema';

/** Patch fields and how each becomes a column value. */
const PATCH_COLUMNS: { [K in keyof CollectionPatch]-?: (value: CollectionPatch[K]) => unknown } = {
  name: (value) => value,
  metadata: (value) => (value == null ? null : JSON.stringify(value)),
  configuration: (value) => JSON.stringify(value),
  hnsw: (value) => JSON.stringify(value),
  dimension: (value) => value,
  embedding: (value) => value ?? null,
  schema: (value) => (value == null ? null : JSON.stringify(value)),
};

/** Catalog reads and writes over one connection's statement cache; the caller owns transactions. */
export class CatalogQueries {
  readonly #sql: StatementCache;

  constructor(statements: StatementCache) {
    this.#sql = statements;
  }

  /** Inserts a tenant (or makes an implicit one explicit); ALREADY_EXISTS when taken. */
  createTenant(name: string): void {
    const sql =
      'INSERT INTO tenants (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET implicit = 0 WHERE implicit = 1';
    if (this.#sql.get(sql).run(name).changes === 0) {
      throw alreadyExists(`Tenant ${name} already exists.`);
    }
  }

  /** The tenant, or null; a tenant that only exists through its databases reads as missing, as in Chroma. */
  getTenant(name: string): Tenant | null {
    const found = this.#sql.get('SELECT name FROM tenants WHERE name = ? AND implicit = 0').get(name) as
      Tenant | undefined;
    return found ?? null;
  }

  /**
   * Inserts a database, in a tenant that was never created too (kept as an implicit tenant row, as Chroma allows);
   * ALREADY_EXISTS when the name is taken.
   */
  createDatabase(tenant: string, name: string, id: string): void {
    this.#sql.get('INSERT OR IGNORE INTO tenants (name, implicit) VALUES (?, 1)').run(tenant);
    try {
      this.#sql.get('INSERT INTO databases (id, name, tenant) VALUES (?, ?, ?)').run(id, name, tenant);
    } catch (err) {
      rethrowConstraint(err, {
        exists: `Database ${name} already exists for tenant ${tenant}.`,
        missingParent: `Tenant ${tenant} does not exist.`,
      });
    }
  }

  /** The database, or null. */
  getDatabase(tenant: string, name: string): Database | null {
    const found = this.#sql
      .get('SELECT id, name, tenant FROM databases WHERE tenant = ? AND name = ?')
      .get(tenant, name) as Database | undefined;
    return found ?? null;
  }

  /** The tenant's databases by name, paged (Chroma's order). */
  listDatabases(tenant: string, page: Page): Database[] {
    return this.#sql
      .get('SELECT id, name, tenant FROM databases WHERE tenant = ? ORDER BY name LIMIT ? OFFSET ?')
      .all(tenant, page.limit ?? -1, page.offset ?? 0) as Database[];
  }

  /** Deletes a database and, by cascade, its collections and their records. */
  deleteDatabase(tenant: string, name: string): void {
    this.#sql.get('DELETE FROM databases WHERE tenant = ? AND name = ?').run(tenant, name);
  }

  /** Inserts a collection at seq 0; ALREADY_EXISTS when the name or id is taken, NOT_FOUND without its database. */
  createCollection(model: CollectionModel): void {
    try {
      this.#sql
        .get(`INSERT INTO collections (${COLLECTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(...collectionToRow(model));
    } catch (err) {
      rethrowConstraint(err, {
        exists: `Collection ${model.name} already exists.`,
        missingParent: `Database ${model.database} does not exist for tenant ${model.tenant}.`,
      });
    }
  }

  /** The collection by name, or null. */
  getCollection(tenant: string, database: string, name: string): CollectionModel | null {
    const row = this.#sql
      .get(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE tenant = ? AND database = ? AND name = ?`)
      .get(tenant, database, name) as CollectionRow | undefined;
    return row === undefined ? null : rowToCollection(row);
  }

  /** The collection by id, or null. */
  getCollectionById(id: string): CollectionModel | null {
    const row = this.#sql.get(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE id = ?`).get(id) as
      CollectionRow | undefined;
    return row === undefined ? null : rowToCollection(row);
  }

  /** The database's collections in creation order, paged. */
  listCollections(tenant: string, database: string, page: Page): CollectionModel[] {
    const rows = this.#sql
      .get(
        `SELECT ${COLLECTION_COLUMNS} FROM collections WHERE tenant = ? AND database = ? ` +
          'ORDER BY rowid LIMIT ? OFFSET ?',
      )
      .all(tenant, database, page.limit ?? -1, page.offset ?? 0) as CollectionRow[];
    return rows.map(rowToCollection);
  }

  /** How many collections the database holds. */
  countCollections(tenant: string, database: string): number {
    return this.#sql
      .get('SELECT count(*) FROM collections WHERE tenant = ? AND database = ?')
      .pluck()
      .get(tenant, database) as number;
  }

  /** Applies the defined fields of the patch; NOT_FOUND for an unknown id, ALREADY_EXISTS for a taken name. */
  updateCollection(id: string, patch: CollectionPatch): void {
    const fields = (Object.keys(PATCH_COLUMNS) as (keyof CollectionPatch)[]).filter(
      (f) => patch[f] !== undefined,
    );
    const assignments = fields.map((field) => `${field} = ?`);
    const values = fields.map((field) => (PATCH_COLUMNS[field] as (value: unknown) => unknown)(patch[field]));
    // `id = id` keeps the SQL valid for an empty patch, which must still report an unknown id.
    const sql = `UPDATE collections SET ${['id = id', ...assignments].join(', ')} WHERE id = ?`;
    try {
      if (this.#sql.get(sql).run(...values, id).changes === 0)
        throw notFound(`Collection ${id} does not exist.`);
    } catch (err) {
      rethrowConstraint(err, { exists: `Collection ${patch.name ?? ''} already exists.`, missingParent: '' });
    }
  }

  /** Deletes a collection and, by cascade, its records, metadata rows, FTS rows and tombstones. */
  deleteCollection(id: string): void {
    this.#sql.get('DELETE FROM collections WHERE id = ?').run(id);
  }

  /** Deletes every tenant and, by cascade, everything else. */
  deleteEverything(): void {
    this.#sql.get('DELETE FROM tenants').run();
  }
}

function collectionToRow(model: CollectionModel): unknown[] {
  return [
    model.id,
    model.name,
    model.tenant,
    model.database,
    model.metadata === null ? null : JSON.stringify(model.metadata),
    JSON.stringify(model.configuration),
    JSON.stringify(model.hnsw),
    model.dimension,
    model.embedding,
    model.schema == null ? null : JSON.stringify(model.schema),
  ];
}

function rowToCollection(row: CollectionRow): CollectionModel {
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    database: row.database,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Metadata),
    configuration: JSON.parse(row.configuration) as Record<string, unknown>,
    hnsw: JSON.parse(row.hnsw) as HnswParams,
    dimension: row.dimension,
    embedding: row.embedding,
    schema: row.schema === null ? null : (JSON.parse(row.schema) as Schema),
  };
}
