/** Runs the questions against an ingested collection: ranking quality, and what the retrieval proxy would inject. */
import type { Engine } from '../../src/engine/database.js';
import { buildSearchQuery } from '../../src/http/openai/context-builder.js';
import { retrievePassages, type RetrievalSettings } from '../../src/http/openai/retrieve-passages.js';
import { hybridSearch, type SearchHit, type SearchMode } from '../../src/retrieval/hybrid-search.js';
import { hitAt, mean, reciprocalRankAt } from '../../src/retrieval/ir-metrics.js';
import { headingPathOf, isRelevant, type EvalQuestion, type Kind, type Language } from './eval-set.js';

/** How deep rankings are read (MRR@10). */
export const RANK_DEPTH = 10;
/** The cut-off of the hit rate (hit@3). */
export const HIT_DEPTH = 3;

/** What a question is run against. */
export interface EvalTarget {
  engine: Engine;
  collection: string;
  /** The search mode the ranking is measured in. */
  mode: SearchMode;
  /** The retrieval proxy's settings, as it builds them from the configuration. */
  retrieval: RetrievalSettings;
}

/** One ranked or injected hit, as `--verbose` and `--json` show it. */
export interface HitSummary {
  id: string;
  path: string | null;
  heading: string;
  lines: [number, number] | null;
  score: number;
  /** The hit's relevance in [0, 1], when the search reports one. */
  relevance?: number;
  relevant: boolean;
}

/** The outcome of one question. */
export interface QuestionResult {
  id: string;
  lang: Language;
  kind: Kind;
  question: string;
  answerable: boolean;
  /** 1-based rank of the first relevant hit within the first {@link RANK_DEPTH}; null when none. */
  rank: number | null;
  hit3: number;
  reciprocalRank: number;
  /** Passages the proxy would add to the chat request. */
  injected: number;
  /** Whether a relevant passage is among the injected ones. */
  grounded: boolean;
  top: HitSummary[];
}

/** Scores of a group of questions; null where the group has no question of that sort. */
export interface GroupScores {
  questions: number;
  answerable: number;
  hit3: number | null;
  mrr: number | null;
  /** Share of answerable questions that got at least one passage injected. */
  answerableInjected: number | null;
  /** Share of answerable questions whose injected passages include a relevant one. */
  grounded: number | null;
  unanswerable: number;
  /** Share of unanswerable questions that got at least one passage injected (lower is better). */
  unanswerableInjected: number | null;
}

/** Ranks one question's hits and asks the proxy's retrieval what it would inject. */
export async function evaluateQuestion(target: EvalTarget, question: EvalQuestion): Promise<QuestionResult> {
  const { results } = await hybridSearch(target.engine, {
    collection: target.collection,
    query: question.question,
    topK: RANK_DEPTH,
    mode: target.mode,
  });
  const ranked = results.map((hit) => hit.id);
  const relevant = new Set(
    results.filter((hit) => isRelevant(hit.metadata, question.answers)).map((h) => h.id),
  );
  const reciprocalRank = reciprocalRankAt(RANK_DEPTH, ranked, relevant);
  const injected = await injectedPassages(target, question.question);
  return {
    id: question.id,
    lang: question.lang,
    kind: question.kind,
    question: question.question,
    answerable: question.answers.length > 0,
    rank: reciprocalRank === 0 ? null : Math.round(1 / reciprocalRank),
    hit3: hitAt(HIT_DEPTH, ranked, relevant),
    reciprocalRank,
    injected: injected.length,
    grounded: injected.some((hit) => isRelevant(hit.metadata, question.answers)),
    top: results.slice(0, HIT_DEPTH).map((hit) => summarizeHit(hit, question)),
  };
}

/**
 * The passages the retrieval proxy retrieves for a chat whose only message is `text`.
 *
 * @remarks The proxy then adds them as far as its character and token budgets allow; the first always fits and
 * five passages of about 1,200 characters fit the default 6,000, so the budget is not modelled here.
 * `retrievePassages` returned the hits before the relevance gate and `{ hits, outcome }` after; both are read.
 */
async function injectedPassages(target: EvalTarget, text: string): Promise<SearchHit[]> {
  const query = buildSearchQuery([{ role: 'user', content: text }]);
  if (query === null) return [];
  const retrieved: unknown = await retrievePassages(target.engine, target.retrieval, query);
  return Array.isArray(retrieved) ? (retrieved as SearchHit[]) : (retrieved as { hits: SearchHit[] }).hits;
}

function summarizeHit(hit: SearchHit, question: EvalQuestion): HitSummary {
  // `relevance` is being added to SearchHit; read it only where the running code provides it.
  const relevance = (hit as { relevance?: unknown }).relevance;
  return {
    id: hit.id,
    path: hit.source.path,
    heading: headingPathOf(hit.metadata),
    lines: hit.source.lines,
    score: hit.score,
    ...(typeof relevance === 'number' ? { relevance } : {}),
    relevant: isRelevant(hit.metadata, question.answers),
  };
}

/** Aggregates results: ranking over answerable questions, injection over both sorts. */
export function scoreGroup(results: readonly QuestionResult[]): GroupScores {
  const answerable = results.filter((r) => r.answerable);
  const unanswerable = results.filter((r) => !r.answerable);
  const share = (rs: readonly QuestionResult[], pick: (r: QuestionResult) => number) =>
    rs.length === 0 ? null : mean(rs.map(pick));
  return {
    questions: results.length,
    answerable: answerable.length,
    hit3: share(answerable, (r) => r.hit3),
    mrr: share(answerable, (r) => r.reciprocalRank),
    answerableInjected: share(answerable, (r) => (r.injected > 0 ? 1 : 0)),
    grounded: share(answerable, (r) => (r.grounded ? 1 : 0)),
    unanswerable: unanswerable.length,
    unanswerableInjected: share(unanswerable, (r) => (r.injected > 0 ? 1 : 0)),
  };
}
