/** The console's data routes under `/console/api`: mounted after app-wide authentication, so all need credentials. */
import express, { type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { Engine } from '../../engine/database.js';
import type { SearchIndex } from '../../retrieval/search-index.js';
import { hybridSearch } from '../../retrieval/hybrid-search.js';
import { HttpError } from '../error-handler.js';
import { createProxyContext } from '../openai/openai-router.js';
import { parseSearch } from '../plugin/search-route.js';
import { toWireResponse } from '../plugin/search-output.js';
import { runConsoleChecks } from './checks.js';
import { highlightSpans } from './highlight.js';
import { overviewOf, readOverview, type CollectionOverview } from './overview.js';
import { previewQuestion } from './preview.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, readRecord, readRecordPage } from './records.js';

/** Where the console's data routes are mounted. */
export const CONSOLE_API_PATH = '/console/api';

/** What the console's data routes read. */
export interface ConsoleApiDeps {
  /** The embedded engine; null in gateway mode, where only search and the preview are served. */
  engine: Engine | null;
  index: SearchIndex;
  /** Gateway mode: the collections on Chroma, for the overview. */
  remoteCollections?: (() => Promise<CollectionOverview[]>) | undefined;
  config: Config;
  logger: Logger;
  version: string;
  fetch?: typeof fetch;
}

const MAX_QUESTION_CHARS = 4000;

const previewBody = z.object({
  question: z
    .string({ required_error: 'question is required', invalid_type_error: 'question must be a string' })
    .max(MAX_QUESTION_CHARS, `question must be at most ${MAX_QUESTION_CHARS} characters`)
    .refine((q) => q.trim() !== '', 'question must not be empty'),
  model: z.string({ invalid_type_error: 'model must be a string' }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
});

const pageQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  contains: z.string().min(1).optional(),
  where: z
    .string()
    .transform((text, ctx) => {
      try {
        const value: unknown = JSON.parse(text);
        if (value !== null && typeof value === 'object' && !Array.isArray(value))
          return value as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'where must be a JSON object' });
      return z.NEVER;
    })
    .optional(),
});

/**
 * Creates the console's data router: overview, checks, search with highlights, the proxy preview and the
 * collection browser. Read-only; bad input is a 400 with Chroma's error body, as everywhere in kbgate.
 */
export function createConsoleApi(deps: ConsoleApiDeps): Router {
  const { config, index } = deps;
  const proxy = createProxyContext({ index, config });
  const router = express.Router();
  router.post('/search', async (req, res) => {
    const { request, output } = parseSearch(req.body, config.collection);
    const response = await hybridSearch(index, request);
    const wire = toWireResponse(response, request.query, { ...output, includeMetadata: true });
    const results = wire.results.map((hit) => ({
      ...hit,
      highlights: highlightSpans(hit.text, request.query),
    }));
    res.json({
      ...wire,
      results,
      collection: request.collection,
      proxy: { minRelevance: config.proxyMinRelevance },
    });
  });
  router.post('/preview', async (req, res) => {
    const body = parse(previewBody, req.body);
    const request = {
      question: body.question,
      model: body.model ?? null,
      maxTokens: body.max_tokens ?? null,
    };
    res.json(await previewQuestion(proxy, request, abortOnClose(res), deps.logger));
  });
  const engine = deps.engine;
  if (engine === null) {
    const remote = deps.remoteCollections;
    if (remote)
      router.get('/overview', async (_req, res) => {
        res.json(overviewOf(await remote(), config, deps.version));
      });
    router.use(gatewayOnly(config));
    return router;
  }
  router.get('/overview', async (_req, res) => {
    res.json(await readOverview(engine, config, deps.version));
  });
  router.get('/checks', async (_req, res) => {
    res.json({ checks: await runConsoleChecks(engine, config, { fetch: deps.fetch }) });
  });
  router.get('/collections/:name/records', async (req, res) => {
    const query = parse(pageQuery, req.query);
    res.json(await readRecordPage(engine, { collection: req.params.name, ...query }));
  });
  router.get('/collections/:name/record', async (req, res) => {
    const id = typeof req.query.id === 'string' ? req.query.id : '';
    if (id === '') throw new HttpError('INVALID_ARGUMENT', 'id is required');
    const record = await readRecord(engine, req.params.name, id);
    if (record === null) throw new HttpError('NOT_FOUND', `Record "${id}" does not exist`);
    res.json(record);
  });
  return router;
}

/** In gateway mode the collections live in Chroma: the console's views of the store point there. */
function gatewayOnly(config: Config): express.RequestHandler {
  return (_req, _res, next) =>
    next(
      new HttpError(
        'NOT_FOUND',
        `kbgate runs as a gateway over Chroma at ${config.chroma?.url ?? '(unset)'}: the console's overview, search and ` +
          'preview work; for checks and records use `kbgate doctor` and `kbgate collections`',
      ),
    );
}

function parse<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  throw new HttpError('INVALID_ARGUMENT', `Invalid parameter ${field}: ${issue?.message ?? 'invalid'}`);
}

/** Aborts (FastChat's token check) when the browser goes away before the answer is sent. */
function abortOnClose(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
