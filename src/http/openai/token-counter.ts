/** Counts tokens with the upstream's tokenizer (FastChat's `/api/v1/token_check`), or estimates them when it cannot. */
import { z } from 'zod';
import { estimateTokens } from './token-budget.js';
import type { UpstreamClient } from './upstream-client.js';

/** Milliseconds a token check may take before the estimate is used instead. */
export const TOKEN_CHECK_TIMEOUT_MS = 2000;
/** Milliseconds the token check is not asked again after it failed (timeout, error, bad answer). */
export const TOKEN_CHECK_RETRY_MS = 30_000;
/** Upstream statuses meaning that the token check does not exist there: it is then never asked again. */
const ABSENT_STATUSES = new Set([404, 405, 501]);

const tokenCheckResponse = z.object({
  prompts: z.array(
    z.object({ tokenCount: z.number().int().nonnegative(), contextLength: z.number().int().positive() }),
  ),
});

/** Token counts of some texts and the model's context length. */
export interface TokenCounts {
  /** One count per text, in order. */
  counts: number[];
  contextLength: number;
  /** `upstream`: the model's tokenizer counted; `estimate`: {@link estimateTokens} did. */
  source: 'upstream' | 'estimate';
  /** Why the upstream's token check could not be used this time, when it was asked and failed. */
  failure?: unknown;
}

/** Options of {@link TokenCounter}. */
export interface TokenCounterOptions {
  /** Context length assumed for models the upstream does not report one for. */
  fallbackContextLength: number;
  /** Clock in milliseconds (tests replace it). */
  now?: () => number;
}

/**
 * Counts tokens the way the upstream model does when the upstream offers FastChat's token check, else estimates.
 *
 * @remarks
 * FastChat answers `POST /api/v1/token_check` with `{prompts: [{model, prompt, max_tokens}]}` by tokenizing each
 * prompt with the model worker's tokenizer: `{prompts: [{fits, tokenCount, contextLength}]}`. Context lengths are
 * cached per model, so they outlive a later failure. An upstream that answers 404 (vLLM, Ollama, OpenAI) is not
 * asked again; any other failure only falls back for a while. Counting never throws.
 */
export class TokenCounter {
  readonly #client: Pick<UpstreamClient, 'send'>;
  readonly #fallbackContextLength: number;
  readonly #now: () => number;
  readonly #contextLengths = new Map<string, number>();
  #absent = false;
  #retryAt = 0;

  constructor(client: Pick<UpstreamClient, 'send'>, options: TokenCounterOptions) {
    this.#client = client;
    this.#fallbackContextLength = options.fallbackContextLength;
    this.#now = options.now ?? Date.now;
  }

  /** Counts `texts` for `model` (null: unknown model, estimated). */
  async count(model: string | null, texts: readonly string[], signal: AbortSignal): Promise<TokenCounts> {
    let failure: unknown;
    if (model !== null && !this.#absent && this.#now() >= this.#retryAt && texts.length > 0) {
      const counted = await this.#check(model, texts, signal);
      if (!(counted instanceof Failure)) return counted;
      failure = counted.cause;
    }
    const known = model === null ? undefined : this.#contextLengths.get(model);
    const estimate: TokenCounts = {
      counts: texts.map(estimateTokens),
      contextLength: known ?? this.#fallbackContextLength,
      source: 'estimate',
    };
    return failure === undefined ? estimate : { ...estimate, failure };
  }

  async #check(model: string, texts: readonly string[], signal: AbortSignal): Promise<TokenCounts | Failure> {
    try {
      const response = await this.#client.send({
        method: 'POST',
        path: '/api/v1/token_check',
        root: true,
        timeoutMs: TOKEN_CHECK_TIMEOUT_MS,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompts: texts.map((prompt) => ({ model, prompt, max_tokens: 0 })) }),
        signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        if (ABSENT_STATUSES.has(response.status)) this.#absent = true;
        throw new Error(`token check answered HTTP ${response.status}`);
      }
      const { prompts } = tokenCheckResponse.parse(await response.json());
      const first = prompts[0];
      if (prompts.length !== texts.length || first === undefined) throw new Error('token check miscounted');
      this.#contextLengths.set(model, first.contextLength);
      return {
        counts: prompts.map((p) => p.tokenCount),
        contextLength: first.contextLength,
        source: 'upstream',
      };
    } catch (err) {
      if (!this.#absent && !signal.aborted) this.#retryAt = this.#now() + TOKEN_CHECK_RETRY_MS;
      return new Failure(err);
    }
  }
}

/** A token check that could not be used, and why. */
class Failure {
  constructor(readonly cause: unknown) {}
}
