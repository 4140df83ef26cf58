/** Recognises chat requests about the conversation itself, which the knowledge base has nothing to add to. */
import { contentText, latestUserIndex, type ChatMessage } from './chat-request.js';
import { NEXTCHAT_SUMMARIZE_PROMPTS, NEXTCHAT_TOPIC_PROMPTS } from './nextchat-prompts.js';

/**
 * Why a request is housekeeping: NextChat's conversation-title request, its memory-summary request, or a user
 * question about the conversation itself ("summarize our conversation", "what did I ask before?").
 */
export type Housekeeping = 'title' | 'summary' | 'about-conversation';

/** Longest latest user message (in characters, normalised) that can be a question about the conversation. */
const MAX_QUESTION_CHARS = 120;

const TOPIC_PROMPTS = new Set(Object.values(NEXTCHAT_TOPIC_PROMPTS).map(normalise));
const SUMMARIZE_PROMPTS = new Set(Object.values(NEXTCHAT_SUMMARIZE_PROMPTS).map(normalise));

/** Politeness and fillers before a question, stripped before matching: words, then CJK and Thai particles. */
const LEAD_IN =
  /^(?:(?:(?:please|pls|ok|okay|hey|so|now|can you|could you|would you|пожалуйста|можешь|можете|напомни|напомните)(?:[\s,:]+|$))|(?:请|帮我|麻烦你?|ช่วย)[\s,:]*)+/u;
/** Trailing punctuation, politeness and sentence particles, stripped before matching. */
const TAIL = /(?:[\s?？!！.。…,，]|please|пожалуйста|呢|吗|啊|吧|ครับ|ค่ะ|คะ|หน่อย|ให้หน่อย)+$/u;

const CONVERSATION = '(?:conversation|chat|discussion|thread|exchange|talk)';
const WE_DID = "what (?:we(?:'ve| have)? |i(?:'ve| have)? )?(?:discussed|talked about|covered|asked|said)";

/** Whole-message patterns over normalised text with spaces (English, Russian). */
const SPACED_PATTERNS: readonly RegExp[] = [
  new RegExp(
    `^(?:summari[sz]e|recap|sum up|give (?:me )?an? (?:short |brief |quick )?(?:summary|recap) of)(?: briefly)? ` +
      `(?:(?:our|this|the|my|the whole|our whole) ${CONVERSATION}|${WE_DID})(?: so far| above| up to now| until now)?$`,
  ),
  /^what (?:did|have) (?:i|we|you) (?:just )?(?:ask|asked|say|said|write|wrote|type|typed|discuss|discussed|talk about|talked about)(?: you)?(?: before| earlier| previously| first| last| so far| just now| above| at the start)?$/,
  /^what (?:was|were) my (?:first|last|previous|earlier|original|other) (?:question|message)s?(?: again)?$/,
  /^what (?:were|are|have) we (?:just |been )?(?:talking about|discussing|discussed|talked about)(?: earlier| before| so far)?$/,
  /^(?:remind me|tell me) (?:of )?what (?:i|we) (?:asked|said|discussed|talked about)(?: before| earlier| first)?$/,
  /^(?:кратко |коротко )?(?:подведи|подведите) (?:кратко |коротко )?итоги? (?:нашего |этого |всего )?(?:разговора|диалога|беседы|чата|обсуждения|переписки)$/u,
  /^(?:кратко |коротко )?(?:перескажи|перескажите|резюмируй|резюмируйте|обобщи|обобщите|суммируй)(?: кратко| коротко)? (?:(?:наш|этот|весь) (?:разговор|диалог|чат)|(?:нашу|эту|всю) (?:беседу|переписку))$/u,
  /^что я (?:только что |раньше |ранее |до этого )?(?:спрашивал|спросил|спрашивала|спросила|писал|написал|писала|написала|говорил|сказал|говорила|сказала)(?: раньше| ранее| до этого| в начале| сначала)?$/u,
  /^о ч[её]м мы (?:только что |раньше |сейчас )?(?:говорили|разговаривали|беседовали|общались)(?: раньше| до этого)?$/u,
  /^какой (?:был )?мой (?:первый|последний|предыдущий) вопрос$/u,
];

/** Whole-message patterns over normalised text without spaces (Chinese, Thai). */
const COMPACT_PATTERNS: readonly RegExp[] = [
  /^(?:总结|概括|归纳|回顾)(?:一下)?(?:我们|咱们)?(?:之间)?的?(?:刚才|之前|目前为止|到目前为止|上面|以上|这次|本次)?的?(?:对话|聊天|谈话|讨论|会话)(?:内容|记录)?$/u,
  /^我(?:之前|刚才|刚刚|前面|上次|最开始|一开始)?(?:问|说|提)(?:了|过)(?:什么|啥|哪些)(?:问题)?$/u,
  /^我的?(?:上一个|上个|第一个|前一个|之前的|刚才的)问题是(?:什么|啥)$/u,
  /^我们(?:之前|刚才|刚刚|前面|都)?(?:聊|谈|讨论|说)(?:了|过)(?:些)?(?:什么|啥|哪些)(?:内容|话题)?$/u,
  /^สรุป(?:บท|การ)?(?:สนทนา|พูดคุย|แชท)(?:ของเรา|นี้|ที่ผ่านมา|ทั้งหมด)?$/u,
  /^(?:เมื่อกี้|ก่อนหน้านี้)?(?:ฉัน|ผม|เรา)(?:ได้)?(?:ถาม|พูด)อะไร(?:ไป)?(?:ก่อนหน้านี้|เมื่อกี้|บ้าง)?$/u,
  /^เรา(?:ได้)?(?:คุย|พูด|สนทนา)(?:กัน)?(?:เรื่อง)?อะไร(?:กัน)?(?:ไป)?(?:บ้าง)?(?:แล้ว)?$/u,
];

/**
 * The kind of housekeeping `messages` ask for, or null for a question the knowledge base may help with.
 *
 * @remarks
 * NextChat 2.16 (`summarizeSession` in `app/store/chat.ts`) sends the conversation followed by a final user message
 * `Locale.Store.Prompt.Topic` (title, not streamed) or a final system message `Locale.Store.Prompt.Summarize`
 * (memory summary); both are matched exactly, in every locale, after whitespace normalisation. Questions about
 * the conversation are matched as whole messages against short fixed phrasings in English, Chinese, Russian and
 * Thai, so a question that merely mentions a conversation ("how do I export a conversation?") is still searched.
 */
export function detectHousekeeping(messages: readonly ChatMessage[]): Housekeeping | null {
  const last = messages.at(-1);
  if (last === undefined) return null;
  const lastText = normalise(contentText(last.content));
  if (last.role === 'user' && TOPIC_PROMPTS.has(lastText)) return 'title';
  if (last.role === 'system' && SUMMARIZE_PROMPTS.has(lastText)) return 'summary';
  const latestUser = messages[latestUserIndex(messages)];
  if (latestUser !== undefined && asksAboutConversation(contentText(latestUser.content))) {
    return 'about-conversation';
  }
  return null;
}

/** Whether `text` is, as a whole, a request to summarise or recall the conversation. */
export function asksAboutConversation(text: string): boolean {
  const spaced = normalise(text).replace(LEAD_IN, '').replace(TAIL, '');
  if (spaced === '' || spaced.length > MAX_QUESTION_CHARS) return false;
  const compact = spaced.replace(/\s+/g, '');
  return SPACED_PATTERNS.some((p) => p.test(spaced)) || COMPACT_PATTERNS.some((p) => p.test(compact));
}

/** Compatibility-normalised, lower-cased, whitespace collapsed and trimmed. */
function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}
