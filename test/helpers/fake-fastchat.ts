/**
 * A local stand-in for FastChat's openai_api_server: models, chat (SSE or JSON), completions, embeddings, and
 * `/api/v1/token_check`, with a made-up tokenizer and FastChat's context-length check on chat requests.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake received it. */
export interface ReceivedRequest {
  method: string;
  /** Path with query string, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  /** The parsed JSON body, or null. */
  body: Record<string, unknown> | null;
  /** For chat requests: the tokens of the prompt FastChat would build from the messages ({@link promptTokens}). */
  promptTokens?: number;
}

/** How the next chat completion is answered. */
export type ChatBehaviour =
  | { kind: 'answer' }
  | { kind: 'error'; status: number; body: unknown }
  /** Never sends response headers. */
  | { kind: 'hang' }
  /** Streams the first piece, then drops the connection. */
  | { kind: 'break' };

/** A running fake FastChat. */
export interface FakeFastChat {
  /** Base URL ending in `/v1`. */
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Answer pieces streamed one per chunk; joined for non-streaming answers. */
  answer: string[];
  chat: ChatBehaviour;
  /** The model's context length in tokens; chat prompts that fill it are refused as FastChat does. */
  contextLength: number;
  /** How `/api/v1/token_check` answers: counts with {@link fakeTokenCount}, not found (as vLLM), or an error. */
  tokenCheck: 'answer' | 'absent' | 'error';
  /** Streams wait before their last content piece until the returned function is called. */
  holdLastPiece(): () => void;
  /** Streams sent to the end. */
  finishedStreams: number;
  /** Resolves when a response is closed by the client before the fake finished it. */
  nextAbandoned(): Promise<void>;
  close(): Promise<void>;
}

/** The model FastChat serves in these tests. */
export const FAKE_MODEL = 'vicuna-7b-v1.5';
/** The system message of FastChat's vicuna_v1.1 template, used when a request has none. */
const VICUNA_SYSTEM =
  "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.";
/** Milliseconds between streamed pieces. */
const PIECE_DELAY_MS = 5;

/** Starts a fake FastChat on an ephemeral loopback port. */
export async function startFakeFastChat(): Promise<FakeFastChat> {
  let gate: Promise<void> | null = null;
  const abandoned: (() => void)[] = [];
  const fake: FakeFastChat = {
    baseUrl: '',
    requests: [],
    answer: ['The ', 'answer ', 'is ', '42 [1].'],
    chat: { kind: 'answer' },
    contextLength: 4096,
    tokenCheck: 'answer',
    holdLastPiece() {
      let release = (): void => {};
      gate = new Promise((resolve) => (release = resolve));
      return release;
    },
    finishedStreams: 0,
    nextAbandoned: () => new Promise((resolve) => abandoned.push(resolve)),
    close: () => closeServer(server),
  };
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        raw,
        body: parseJson(raw),
      };
      fake.requests.push(request);
      res.once('close', () => {
        if (!res.writableFinished) abandoned.splice(0).forEach((resolve) => resolve());
      });
      void route(fake, request, res, () => gate);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

async function route(
  fake: FakeFastChat,
  request: ReceivedRequest,
  res: ServerResponse,
  gate: () => Promise<void> | null,
): Promise<void> {
  const path = request.url.split('?')[0];
  if (request.method === 'GET' && path === '/v1/models') return sendJson(res, 200, modelList());
  if (request.method === 'POST' && path === '/v1/embeddings') return sendJson(res, 200, embeddings(request));
  if (request.method === 'POST' && path === '/v1/completions') return sendJson(res, 200, completion(request));
  if (request.method === 'POST' && path === '/api/v1/token_check')
    return answerTokenCheck(fake, request, res);
  if (request.method === 'POST' && path === '/v1/chat/completions') {
    request.promptTokens = promptTokens(request.body?.messages);
    if (request.promptTokens >= fake.contextLength) return sendJson(res, 400, contextOverflow(fake, request));
    const behaviour = fake.chat;
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'error') return sendJson(res, behaviour.status, behaviour.body);
    if (behaviour.kind === 'break') return breakStream(fake, res);
    if (request.body?.stream === true) {
      await streamAnswer(fake, res, gate());
      if (res.writableFinished) fake.finishedStreams += 1;
      return;
    }
    return sendJson(res, 200, chatCompletion(fake.answer.join('')));
  }
  sendJson(res, 404, { detail: 'Not Found' });
}

async function streamAnswer(
  fake: FakeFastChat,
  res: ServerResponse,
  gate: Promise<void> | null,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  res.write(chunkEvent({ role: 'assistant' }, null));
  for (const [i, piece] of fake.answer.entries()) {
    await delay(PIECE_DELAY_MS);
    if (i === fake.answer.length - 1 && gate !== null) await gate;
    if (res.destroyed) return;
    res.write(chunkEvent({ content: piece }, null));
  }
  res.write(chunkEvent({}, 'stop'));
  res.end('data: [DONE]\n\n');
}

/**
 * A made-up tokenizer: one start token, then per Latin word one token per 4 letters, per Cyrillic word one per 3,
 * and one per any other character except spaces (each CJK or Thai character, digit, punctuation mark, newline).
 */
export function fakeTokenCount(text: string): number {
  let count = 1;
  for (const [piece] of text.matchAll(/\p{Script=Latin}+|\p{Script=Cyrillic}+| +|[^ ]/gsu)) {
    if (/^\p{Script=Latin}/u.test(piece)) count += Math.ceil(piece.length / 4);
    else if (/^\p{Script=Cyrillic}/u.test(piece)) count += Math.ceil(piece.length / 3);
    else if (!piece.startsWith(' ')) count += 1;
  }
  return count;
}

/**
 * The tokens of the prompt FastChat builds from chat messages with the vicuna_v1.1 template: the last system message
 * (or the template's), then `USER: ... ASSISTANT: ...</s>` turns and a final `ASSISTANT:`.
 */
export function promptTokens(messages: unknown): number {
  const list = Array.isArray(messages) ? (messages as { role?: unknown; content?: unknown }[]) : [];
  let system = VICUNA_SYSTEM;
  const turns: string[] = [];
  for (const message of list) {
    const text = textOf(message.content);
    if (message.role === 'system') system = text;
    else if (message.role === 'user') turns.push(`USER: ${text} `);
    else turns.push(`ASSISTANT: ${text}</s>`);
  }
  return fakeTokenCount(`${system} ${turns.join('')}ASSISTANT:`);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

function answerTokenCheck(fake: FakeFastChat, request: ReceivedRequest, res: ServerResponse): void {
  if (fake.tokenCheck === 'absent') return sendJson(res, 404, { detail: 'Not Found' });
  if (fake.tokenCheck === 'error') return sendJson(res, 500, { detail: 'worker unavailable' });
  const prompts = (request.body?.prompts ?? []) as { prompt: string; max_tokens: number }[];
  sendJson(res, 200, {
    prompts: prompts.map((p) => {
      const tokenCount = fakeTokenCount(p.prompt);
      return {
        fits: tokenCount + p.max_tokens <= fake.contextLength,
        tokenCount,
        contextLength: fake.contextLength,
      };
    }),
  });
}

/** FastChat's answer to a prompt that fills the context (ErrorCode.CONTEXT_OVERFLOW). */
function contextOverflow(fake: FakeFastChat, request: ReceivedRequest): object {
  return {
    object: 'error',
    message: `This model's maximum context length is ${fake.contextLength} tokens. However, your messages resulted in ${request.promptTokens} tokens. Please reduce the length of the messages.`,
    code: 40303,
  };
}

function breakStream(fake: FakeFastChat, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  res.write(chunkEvent({ content: fake.answer[0] }, null));
  setTimeout(() => res.destroy(), PIECE_DELAY_MS);
}

function chunkEvent(delta: object, finish: string | null): string {
  const chunk = {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1,
    model: FAKE_MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

function chatCompletion(content: string): object {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1,
    model: FAKE_MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

function modelList(): object {
  return { object: 'list', data: [{ id: FAKE_MODEL, object: 'model', created: 1, owned_by: 'fastchat' }] };
}

function embeddings(request: ReceivedRequest): object {
  const input = request.body?.input;
  const texts = Array.isArray(input) ? input : [input];
  return {
    object: 'list',
    model: request.body?.model,
    data: texts.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
    usage: { prompt_tokens: texts.length, total_tokens: texts.length },
  };
}

function completion(request: ReceivedRequest): object {
  return {
    id: 'cmpl-fake',
    object: 'text_completion',
    created: 1,
    model: request.body?.model,
    choices: [{ index: 0, text: ' completed', logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
