/** The parts of an OpenAI chat completion request the retrieval proxy reads; everything else passes as sent. */
import { z } from 'zod';

const messageSchema = z.object({ role: z.string(), content: z.unknown().optional() }).passthrough();

const chatRequestSchema = z
  .object({
    messages: z.array(messageSchema),
    tools: z.array(z.unknown()).optional(),
    tool_choice: z.unknown().optional(),
    functions: z.array(z.unknown()).optional(),
    function_call: z.unknown().optional(),
    stream: z.boolean().nullish(),
  })
  .passthrough();

/** One chat message; unknown fields (name, tool_calls...) are kept. */
export type ChatMessage = z.infer<typeof messageSchema>;

/** A chat completion request; unknown fields are kept. */
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** Reads a chat completion request, or null when it is not one (it is then forwarded untouched). */
export function parseChatRequest(value: unknown): ChatRequest | null {
  const parsed = chatRequestSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The text of a message's content: a string, or the text parts of a multi-part content array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => {
      const p = part as { type?: unknown; text?: unknown } | null;
      return p?.type === 'text' && typeof p.text === 'string' ? p.text : '';
    })
    .filter((text) => text !== '')
    .join('\n');
}

/** The index of the latest message with role `user`, or -1 when there is none. */
export function latestUserIndex(messages: readonly ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) if (messages[i]?.role === 'user') return i;
  return -1;
}
