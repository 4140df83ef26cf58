/** Chroma 1.x parity: collections keep their index schema, and tenants can exist only through their databases. */
import type { Migration } from '../migrate.js';

/**
 * Adds `collections.schema` (Chroma's schema JSON; null for older collections, whose schema is derived from their
 * configuration) and `tenants.implicit`.
 *
 * @remarks Chroma lets a database be created in a tenant that was never created: the database works, the tenant
 * still reads as missing. Such a tenant is a row with `implicit = 1`, kept for the foreign key of its databases.
 */
export const MIGRATION_00006_COLLECTION_SCHEMAS: Migration = {
  version: 6,
  name: 'collection-schemas',
  sql: `
ALTER TABLE collections ADD COLUMN schema TEXT;
ALTER TABLE tenants ADD COLUMN implicit INTEGER NOT NULL DEFAULT 0;
`,
};
