/** Hybrid search's retrievers over a Chroma server: Chroma's vector search, and `$contains` candidates ranked here. */
import type { Where, WhereDocument } from 'chromadb';
import type { Metadata } from '../engine/types.js';
import type { LexicalPlan } from '../store/fts-text.js';
import type {
  LexicalPassage,
  RetrievedPassage,
  RetrieverQuery,
  SearchableCollection,
  SearchIndex,
  VectorPassage,
} from '../retrieval/search-index.js';
import type { ChromaGateway, RemoteCollection } from './chroma-gateway.js';
import {
  containsFilter,
  planFromFrequencies,
  probedWords,
  scorePassages,
  type ProbedWord,
} from './remote-lexical.js';

/**
 * Most candidates the lexical retriever reads and ranks per query. Words are added to the candidate filter, rarest
 * first, while their documents fit; when even the rarest word is in more documents, Chroma's vector search picks
 * which of them to rank (or, without embeddings, the first ones).
 */
export const LEXICAL_CANDIDATES = 300;
/** Documents counted per word to weigh it; a word in more documents weighs as one in this many. */
export const FREQUENCY_CAP = 1_000;
/** Milliseconds a collection's size and a word's document count are reused before they are measured again. */
export const STATISTICS_TTL_MS = 60_000;
/** Most statistics kept (about 100 bytes each). */
const MAX_STATISTICS = 20_000;
/** Queries whose plan and embedding are kept, so both retrievers and the relevance pass share them. */
const MEMO_SIZE = 128;
/** Milliseconds a query's plan is kept: long enough for one search, short enough to see new documents' words. */
const MEMO_TTL_MS = 10_000;

interface QueryMemo {
  at: number;
  plan?: Promise<{ plan: LexicalPlan | null; words: (ProbedWord & { df: number })[] }>;
  embedding?: Promise<number[]>;
}

/** {@link SearchIndex} over a Chroma server through {@link ChromaGateway}. */
export class ChromaSearchIndex implements SearchIndex {
  readonly #gateway: ChromaGateway;
  readonly #memo = new Map<string, QueryMemo>();
  readonly #statistics = new Map<string, { at: number; value: Promise<number> }>();

  constructor(gateway: ChromaGateway) {
    this.#gateway = gateway;
  }

  /** Ignores `tenant` and `database`: the gateway serves the configured ones (KBGATE_CHROMA_TENANT, _DATABASE). */
  async describe(_tenant: string, _database: string, name: string): Promise<SearchableCollection> {
    const remote = await this.#gateway.collection(name);
    return { id: remote.id, name: remote.name, embedding: remote.binding, space: remote.space };
  }

  async vector(collection: SearchableCollection, query: RetrieverQuery): Promise<VectorPassage[]> {
    const remote = await this.#gateway.collection(collection.name);
    const embedding = await this.#embedding(remote, query.text);
    const result = await this.#gateway.call('query', () =>
      remote.handle.query({
        queryEmbeddings: [embedding],
        nResults: query.k,
        ...whereOf(query),
        include: ['documents', 'metadatas', 'distances'],
      }),
    );
    return (result.ids[0] ?? []).map((id, i) => ({
      id,
      text: result.documents[0]?.[i] ?? '',
      metadata: (result.metadatas[0]?.[i] ?? null) as Metadata | null,
      distance: result.distances[0]?.[i] ?? null,
    }));
  }

  async lexical(collection: SearchableCollection, query: RetrieverQuery): Promise<LexicalPassage[]> {
    const remote = await this.#gateway.collection(collection.name);
    const { plan, words } = await this.#planOf(remote, query.text);
    const found = words.filter((w) => w.df > 0).sort((a, b) => a.df - b.df);
    if (plan === null || found.length === 0) return [];
    const chosen = [found[0]!];
    let total = found[0]!.df;
    for (const word of found.slice(1)) {
      if (total + word.df > LEXICAL_CANDIDATES) break;
      chosen.push(word);
      total += word.df;
    }
    const candidates = await this.#candidates(remote, query, containsFilter(chosen), total);
    const scores = scorePassages(plan, candidates);
    return candidates
      .map((c, i) => ({ ...c, score: scores[i]!.score, relevance: scores[i]!.relevance }))
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, query.k);
  }

  async lexicalRelevance(
    collection: SearchableCollection,
    query: string,
    passages: RetrievedPassage[],
  ): Promise<number[]> {
    const remote = await this.#gateway.collection(collection.name);
    const { plan } = await this.#planOf(remote, query);
    if (plan === null) return passages.map(() => 0);
    return scorePassages(plan, passages).map((s) => s.relevance);
  }

  /** Documents containing the chosen words: all of them when they fit, else the nearest by vector (or the first). */
  async #candidates(
    remote: RemoteCollection,
    query: RetrieverQuery,
    filter: WhereDocument,
    matching: number,
  ): Promise<RetrievedPassage[]> {
    const canRank = remote.binding !== null && remote.binding !== 'none';
    if (matching > LEXICAL_CANDIDATES && canRank) {
      const embedding = await this.#embedding(remote, query.text);
      const result = await this.#gateway.call('query', () =>
        remote.handle.query({
          queryEmbeddings: [embedding],
          nResults: LEXICAL_CANDIDATES,
          ...whereOf(query),
          whereDocument: filter,
          include: ['documents', 'metadatas'],
        }),
      );
      return (result.ids[0] ?? []).map((id, i) => ({
        id,
        text: result.documents[0]?.[i] ?? '',
        metadata: (result.metadatas[0]?.[i] ?? null) as Metadata | null,
      }));
    }
    const result = await this.#gateway.call('get', () =>
      remote.handle.get({
        ...whereOf(query),
        whereDocument: filter,
        limit: LEXICAL_CANDIDATES,
        include: ['documents', 'metadatas'],
      }),
    );
    return result.ids.map((id, i) => ({
      id,
      text: result.documents[i] ?? '',
      metadata: (result.metadatas[i] ?? null) as Metadata | null,
    }));
  }

  #memoOf(remote: RemoteCollection, text: string): QueryMemo {
    const key = `${remote.id}\u0000${text}`;
    let memo = this.#memo.get(key);
    if (memo !== undefined && Date.now() - memo.at > MEMO_TTL_MS) {
      this.#memo.delete(key);
      memo = undefined;
    }
    if (memo === undefined) {
      memo = { at: Date.now() };
      this.#memo.set(key, memo);
      if (this.#memo.size > MEMO_SIZE) this.#memo.delete(this.#memo.keys().next().value as string);
    }
    return memo;
  }

  /** The query's plan, measured once per query and collection (only when a lexical pass needs it). */
  #planOf(remote: RemoteCollection, text: string): NonNullable<QueryMemo['plan']> {
    const memo = this.#memoOf(remote, text);
    if (memo.plan === undefined) {
      memo.plan = this.#plan(remote, text);
      memo.plan.catch(() => {
        memo.plan = undefined;
      });
    }
    return memo.plan;
  }

  /** The query's probed words with their document counts, and the plan weighted by them. */
  async #plan(remote: RemoteCollection, text: string): Promise<Awaited<NonNullable<QueryMemo['plan']>>> {
    const words = probedWords(text);
    if (words.length === 0) return { plan: null, words: [] };
    const [count, ...frequencies] = await Promise.all([
      this.#statistic(`${remote.id}\u0000`, () => this.#gateway.call('count', () => remote.handle.count())),
      ...words.map((w) =>
        this.#statistic(`${remote.id}\u0000${w.word}`, () =>
          this.#gateway
            .call('get', () =>
              remote.handle.get({ whereDocument: containsFilter([w]), limit: FREQUENCY_CAP, include: [] }),
            )
            .then((r) => r.ids.length),
        ),
      ),
    ]);
    const counted = words.map((w, i) => ({ ...w, df: frequencies[i] ?? 0 }));
    const plan = planFromFrequencies(text, count, new Map(counted.map((w) => [w.word, w.df])));
    return { plan, words: counted };
  }

  /**
   * A collection statistic (its size, a word's document count), measured once per {@link STATISTICS_TTL_MS}: words
   * recur across questions, and their weights need no more precision than that. Failures and zeros are not kept.
   */
  #statistic(key: string, measure: () => Promise<number>): Promise<number> {
    const cached = this.#statistics.get(key);
    if (cached !== undefined && Date.now() - cached.at < STATISTICS_TTL_MS) return cached.value;
    const value = measure();
    // A word no document holds yet is measured again next time: a document added meanwhile must be found at once.
    value.then(
      (n) => n === 0 && this.#statistics.delete(key),
      () => this.#statistics.delete(key),
    );
    this.#statistics.delete(key);
    this.#statistics.set(key, { at: Date.now(), value });
    if (this.#statistics.size > MAX_STATISTICS)
      this.#statistics.delete(this.#statistics.keys().next().value as string);
    return value;
  }

  /** The query's embedding with the collection's function, computed once per query and collection. */
  #embedding(remote: RemoteCollection, text: string): Promise<number[]> {
    const memo = this.#memoOf(remote, text);
    if (memo.embedding === undefined) {
      const fn = this.#gateway.embedder(remote.binding);
      const embed = fn.embedQuery ? fn.embedQuery.bind(fn) : fn.embed.bind(fn);
      memo.embedding = embed([text]).then((vectors) => Array.from(vectors[0] ?? []));
      memo.embedding.catch(() => {
        memo.embedding = undefined;
      });
    }
    return memo.embedding;
  }
}

function whereOf(query: RetrieverQuery): { where?: Where } {
  return query.where === undefined ? {} : { where: query.where as Where };
}
