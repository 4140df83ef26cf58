/** POST /v1/chat/completions: retrieve for the latest turn, add cited passages, forward, relay the answer. */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Engine } from '../../engine/database.js';
import type { SearchHit } from '../../retrieval/hybrid-search.js';
import { parseChatRequest, type ChatRequest } from './chat-request.js';
import { buildContext, buildSearchQuery, injectContext } from './context-builder.js';
import { sendOpenAIError } from './openai-error.js';
import { removeOwnTools } from './own-tools.js';
import { readRawBody } from './read-raw-body.js';
import { relayResponse } from './relay-response.js';
import { retrievePassages, type RetrievalSettings } from './retrieve-passages.js';
import type { UpstreamClient } from './upstream-client.js';

/** Everything a proxied request needs. */
export interface ProxyContext {
  engine: Engine;
  client: UpstreamClient;
  retrieval: RetrievalSettings;
  contextChars: number;
  maxBodyBytes: number;
  /** Tool names (plugin operationIds) the proxy answers itself and removes from requests. */
  ownTools: ReadonlySet<string>;
}

/** Response header with the number of passages added. */
export const PASSAGES_HEADER = 'X-Kbgate-Passages';
/** Response header listing the cited sources in order, each URI-encoded, comma-separated. */
export const SOURCES_HEADER = 'X-Kbgate-Sources';

/** Forwards one chat completion request with knowledge-base context added. */
export async function forwardChat(
  ctx: ProxyContext,
  req: Request,
  res: Response,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const raw = await readRawBody(req, ctx.maxBodyBytes);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    sendOpenAIError(res, 400, 'Request body is not valid JSON', 'invalid_request_error', 'invalid_json');
    return;
  }
  const chat = parseChatRequest(json);
  const prepared = chat === null ? { body: raw, used: [] } : await prepareChat(ctx, chat, log);
  if (signal.aborted) return;
  const upstream = await ctx.client.send({
    method: 'POST',
    path: '/chat/completions',
    headers: forwardedHeaders(req),
    body: prepared.body,
    signal,
  });
  await relayResponse(upstream, res, {
    headers: passageHeaders(prepared.used),
    onBroken: (err) => log.warn({ err }, 'upstream stream broke off'),
  });
}

/** The request headers passed upstream: content negotiation only, never the caller's credentials. */
export function forwardedHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'accept']) {
    const value = req.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

async function prepareChat(
  ctx: ProxyContext,
  chat: ChatRequest,
  log: Logger,
): Promise<{ body: string; used: SearchHit[] }> {
  const request = removeOwnTools(chat, ctx.ownTools);
  const hits = await findPassages(ctx, request, log);
  if (hits.length === 0) return { body: JSON.stringify(request), used: [] };
  const { text, used } = buildContext(hits, ctx.contextChars);
  return { body: JSON.stringify({ ...request, messages: injectContext(request.messages, text) }), used };
}

/** Hits for the conversation; a failing search is logged and the chat goes on without context. */
async function findPassages(ctx: ProxyContext, chat: ChatRequest, log: Logger): Promise<SearchHit[]> {
  const query = buildSearchQuery(chat.messages);
  if (query === null) return [];
  try {
    return await retrievePassages(ctx.engine, ctx.retrieval, query);
  } catch (err) {
    log.warn({ err }, 'retrieval failed; forwarding the chat without context');
    return [];
  }
}

function passageHeaders(used: readonly SearchHit[]): Record<string, string> {
  const headers: Record<string, string> = { [PASSAGES_HEADER]: String(used.length) };
  if (used.length > 0) {
    headers[SOURCES_HEADER] = used.map((hit) => encodeURIComponent(hit.source.path ?? hit.id)).join(', ');
  }
  return headers;
}
