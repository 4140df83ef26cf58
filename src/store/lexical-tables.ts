/** One FTS5 table per collection, so BM25's term statistics describe that collection's documents only. */
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { LexicalHit } from '../engine/ports.js';
import type { Metadata } from '../engine/types.js';
import { ftsText, planLexicalQuery, type LexicalPlan, type TermGroup, type Vocabulary } from './fts-text.js';
import type { StatementCache } from './statement-cache.js';

/** Prefix of every per-collection FTS5 table. */
export const FTS_TABLE_PREFIX = 'fts_';

/**
 * The tokenizer of every lexical table: text arrives analyzed (stemmed, folded, segmented, space-separated), so
 * FTS5 only splits it; combining marks (`M*`) count as word characters so Thai and Indic words stay whole.
 */
const TOKENIZE = `unicode61 remove_diacritics 0 categories 'L* N* Co M*'`;

/**
 * BM25F-style column weights: a match in a passage's title or heading path counts this many times one in its text.
 *
 * @remarks Tuned on SciFact's training queries (titles are the papers' titles) and the multilingual eval.
 */
export const HEAD_WEIGHT = 3;

/** Up to this many allowed rowids, a filtered search looks each one up in FTS5; beyond, it filters the matches. */
const SEEK_ROWIDS_MAX = 64;

/** Up to this many hits, relevance is measured on their text; beyond, on the postings of the query's words. */
const TEXT_COVERAGE_MAX = 16;

/** Metadata keys whose text goes into the `head` column: the document title and the passage's headings. */
const HEAD_KEYS = ['title', 'heading_path', 'heading'] as const;

/** The FTS5 table of a collection: a fixed name derived from its id, safe as an SQL identifier. */
export function ftsTableFor(collectionId: string): string {
  return FTS_TABLE_PREFIX + createHash('sha256').update(collectionId).digest('hex').slice(0, 32);
}

/** Creates the lexical table of a collection (contentless: the store writes analyzed text by rowid). */
export function createLexicalTable(db: BetterSqlite3.Database, collectionId: string): void {
  const sql =
    `CREATE VIRTUAL TABLE IF NOT EXISTS ${ftsTableFor(collectionId)} USING fts5(` +
    `head, body, content = '', contentless_delete = 1, tokenize = "${TOKENIZE}")`;
  db.exec(sql);
}

/** The analyzed `head` text of a record: its title and headings, without repeating a heading already in the path. */
export function headText(metadata: Metadata | null): string {
  if (metadata === null) return '';
  const parts: string[] = [];
  for (const key of HEAD_KEYS) {
    const value = metadata[key];
    const text = Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(' > ') : value;
    if (typeof text === 'string' && text.trim() !== '' && !parts.some((p) => p.includes(text)))
      parts.push(text);
  }
  return ftsText(parts.join('\n'));
}

/** Inserts one record's analyzed row with a prepared `INSERT INTO <table> (rowid, head, body)`. */
export function insertLexicalRow(
  insert: BetterSqlite3.Statement,
  rowid: number,
  document: string,
  metadata: Metadata | null,
): void {
  insert.run(rowid, headText(metadata), ftsText(document));
}

/**
 * Reads and writes the per-collection lexical tables over one connection.
 *
 * @remarks Rows are keyed by record rowid. The caller owns transactions; dropping a collection drops its table.
 */
export class LexicalTables {
  readonly #db: BetterSqlite3.Database;
  readonly #sql: StatementCache;
  readonly #vocabTables = new Set<string>();

  constructor(db: BetterSqlite3.Database, statements: StatementCache) {
    this.#db = db;
    this.#sql = statements;
  }

  /** Creates the collection's table. */
  create(collectionId: string): void {
    createLexicalTable(this.#db, collectionId);
  }

  /** Drops the collection's table. */
  drop(collectionId: string): void {
    const table = ftsTableFor(collectionId);
    if (this.#vocabTables.delete(table)) this.#db.exec(`DROP TABLE IF EXISTS temp.${table}_vocab`);
    this.#db.exec(`DROP TABLE IF EXISTS ${table}`);
  }

  /** Drops every lexical table (reset). */
  dropAll(): void {
    const names = this.#db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' AND name GLOB ?",
      )
      .pluck()
      .all(`${FTS_TABLE_PREFIX}*`) as string[];
    for (const name of names) {
      if (this.#vocabTables.delete(name)) this.#db.exec(`DROP TABLE IF EXISTS temp.${name}_vocab`);
      this.#db.exec(`DROP TABLE IF EXISTS ${name}`);
    }
  }

  /** Indexes (or re-indexes) one record's document with its title and headings; a null document removes it. */
  put(collectionId: string, rowid: number, document: string | null, metadata: Metadata | null): void {
    const table = ftsTableFor(collectionId);
    this.#sql.get(`DELETE FROM ${table} WHERE rowid = ?`).run(rowid);
    if (document !== null) {
      insertLexicalRow(
        this.#sql.get(`INSERT INTO ${table} (rowid, head, body) VALUES (?, ?, ?)`),
        rowid,
        document,
        metadata,
      );
    }
  }

  /** Removes records from the collection's table. */
  delete(collectionId: string, rowids: readonly number[]): void {
    if (rowids.length === 0) return;
    const table = ftsTableFor(collectionId);
    this.#sql
      .get(`DELETE FROM ${table} WHERE rowid IN (SELECT value FROM json_each(?))`)
      .run(JSON.stringify(rowids));
  }

  /** Plans `query` against the collection's vocabulary; null when it has no word (see {@link planLexicalQuery}). */
  plan(collectionId: string, query: string, documentCount: number): LexicalPlan | null {
    return planLexicalQuery(query, this.#vocabulary(collectionId, documentCount));
  }

  /**
   * BM25F search of the collection, best first; `allowed` restricts hits to those rowids.
   *
   * @remarks Scores are `-bm25` (higher is better), with the head column weighted {@link HEAD_WEIGHT} times.
   * Each hit's `relevance` is the share of the plan's term weight it matches (see {@link coverage}).
   */
  search(collectionId: string, plan: LexicalPlan, k: number, allowed?: Iterable<number>): LexicalHit[] {
    if (k <= 0) return [];
    const table = ftsTableFor(collectionId);
    const ids = allowed === undefined ? undefined : [...allowed];
    const restrict = ids === undefined ? '' : restriction(ids.length);
    const rank = `bm25(${table}, ${HEAD_WEIGHT}, 1)`;
    const sql =
      `SELECT rowid, -${rank} AS score FROM ${table} ` +
      `WHERE ${table} MATCH ? ${restrict} ORDER BY ${rank} LIMIT ?`;
    const params: unknown[] = [plan.match];
    if (ids !== undefined) params.push(JSON.stringify(ids));
    const hits = this.#sql.get(sql).all(...params, k) as { rowid: number; score: number }[];
    const relevance = this.coverage(
      collectionId,
      plan,
      hits.map((h) => h.rowid),
    );
    return hits.map((h) => ({ ...h, relevance: relevance.get(h.rowid) ?? 0 }));
  }

  /**
   * For each rowid, the share of the plan's term weight its title, headings and text match: 1 when every
   * informative query word (or one of its forms) is present, 0 when none is; comparable across queries.
   */
  coverage(collectionId: string, plan: LexicalPlan, rowids: readonly number[]): Map<number, number> {
    const out = new Map<number, number>(rowids.map((r) => [r, 0]));
    const total = plan.groups.reduce((sum, g) => sum + g.weight, 0);
    if (rowids.length === 0 || total <= 0) return out;
    const matched =
      rowids.length <= TEXT_COVERAGE_MAX
        ? this.#matchedInText(plan, rowids)
        : this.#matchedInPostings(collectionId, plan, rowids);
    for (const [rowid, groups] of matched) {
      const share = groups.reduce((sum, g) => sum + g.weight, 0) / total;
      out.set(rowid, Math.min(1, share));
    }
    return out;
  }

  /**
   * The groups each hit matches, from the hits' own text analyzed as it was indexed: for a few passages far cheaper
   * than the postings of every query word, which FTS5 decodes whole even to test one rowid.
   */
  #matchedInText(plan: LexicalPlan, rowids: readonly number[]): Map<number, TermGroup[]> {
    const rows = this.#sql
      .get('SELECT rowid, document, metadata FROM records WHERE rowid IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(rowids)) as { rowid: number; document: string | null; metadata: string | null }[];
    const out = new Map<number, TermGroup[]>();
    for (const row of rows) {
      if (row.document === null) continue;
      const metadata = row.metadata === null ? null : (JSON.parse(row.metadata) as Metadata);
      const terms = `${headText(metadata)} | ${ftsText(row.document)}`.split(' ');
      const present = new Set(terms);
      out.set(
        row.rowid,
        plan.groups.filter((g) => g.alternatives.some((alt) => containsSequence(terms, present, alt))),
      );
    }
    return out;
  }

  /**
   * The groups each hit matches, from one pass over each group's postings within the hits' rowid range (about
   * what ranking read); a `rowid IN (...)` restriction would make SQLite run the MATCH once per rowid.
   */
  #matchedInPostings(
    collectionId: string,
    plan: LexicalPlan,
    rowids: readonly number[],
  ): Map<number, TermGroup[]> {
    const table = ftsTableFor(collectionId);
    const statement = this.#sql
      .get(`SELECT rowid FROM ${table} WHERE ${table} MATCH ? AND rowid BETWEEN ? AND ?`)
      .pluck();
    const out = new Map<number, TermGroup[]>(rowids.map((r) => [r, []]));
    const [low, high] = [Math.min(...rowids), Math.max(...rowids)];
    for (const group of plan.groups) {
      for (const rowid of statement.all(group.match, low, high) as number[]) out.get(rowid)?.push(group);
    }
    return out;
  }

  #vocabulary(collectionId: string, documentCount: number): Vocabulary {
    const table = ftsTableFor(collectionId);
    if (!this.#vocabTables.has(table)) {
      this.#db.exec(
        `CREATE VIRTUAL TABLE IF NOT EXISTS temp.${table}_vocab USING fts5vocab(main, ${table}, 'row')`,
      );
      this.#vocabTables.add(table);
    }
    const terms = this.#sql.get(`SELECT term, doc FROM temp.${table}_vocab WHERE term = ?`);
    const phrase = this.#sql.get(`SELECT count(*) FROM ${table} WHERE ${table} MATCH ?`).pluck();
    return {
      documentCount,
      frequencies: (list) => {
        const out = new Map<string, number>();
        for (const term of list) {
          const row = terms.get(term) as { term: string; doc: number } | undefined;
          if (row !== undefined) out.set(term, row.doc);
        }
        return out;
      },
      phraseFrequency: (words) => phrase.get(`"${words.join(' ')}"`) as number,
    };
  }
}

/**
 * The SQL restricting a MATCH to a set of rowids.
 *
 * @remarks SQLite hands `rowid IN (...)` to FTS5 as one lookup per rowid, each decoding the query's postings again:
 * right for a few rowids, ruinous for thousands (a filter that keeps most of a collection took seconds). Beyond
 * {@link SEEK_ROWIDS_MAX} the unary `+` keeps the constraint out of FTS5, so it filters one pass over the matches.
 */
function restriction(count: number): string {
  return count <= SEEK_ROWIDS_MAX
    ? 'AND rowid IN (SELECT value FROM json_each(?))'
    : 'AND +rowid IN (SELECT value FROM json_each(?))';
}

/** Whether `terms` holds `sequence` side by side (`present` is the set of `terms`, for the common one-term case). */
function containsSequence(
  terms: readonly string[],
  present: ReadonlySet<string>,
  sequence: readonly string[],
): boolean {
  if (!sequence.every((t) => present.has(t))) return false;
  if (sequence.length === 1) return true;
  for (let i = 0; i + sequence.length <= terms.length; i += 1) {
    if (sequence.every((t, j) => terms[i + j] === t)) return true;
  }
  return false;
}
