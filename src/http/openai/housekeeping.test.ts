import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './chat-request.js';
import { asksAboutConversation, detectHousekeeping } from './housekeeping.js';
import { NEXTCHAT_SUMMARIZE_PROMPTS, NEXTCHAT_TOPIC_PROMPTS } from './nextchat-prompts.js';

// NextChat v2.16.1, app/locales/{en,cn,ru,tw,jp,de}.ts: Locale.Store.Prompt.Topic and Locale.Store.Prompt.Summarize.
const TOPIC = {
  en: 'Please generate a four to five word title summarizing our conversation without any lead-in, punctuation, quotation marks, periods, symbols, bold text, or additional text. Remove enclosing quotation marks.',
  cn: '使用四到五个字直接返回这句话的简要主题，不要解释、不要标点、不要语气词、不要多余文本，不要加粗，如果没有主题，请直接返回“闲聊”',
  ru: "Укажите краткую тему этого сообщения в четырех-пяти словах, без объяснений, знаков препинания, междометий, лишнего текста или выделения. Если темы нет, просто напишите 'Болтовня'",
  tw: "Use the language used by the user (e.g. en for english conversation, zh-hant for chinese conversation, etc.) to generate a title (at most 6 words) summarizing our conversation without any lead-in, quotation marks, preamble like 'Title:', direct text copies, single-word replies, quotation marks, translations, or brackets. Remove enclosing quotation marks. The title should make third-party grasp the essence of the conversation in first sight.",
  jp: 'この文の簡潔なテーマを四から五文字で返してください。説明、句読点、感嘆詞、余計なテキストは不要です。太字も不要です。テーマがない場合は「雑談」と返してください',
  de: 'Geben Sie ein kurzes Thema in vier bis fünf Wörtern zurück, ohne Erklärungen, ohne Satzzeichen, ohne Füllwörter, ohne zusätzliche Texte und ohne Fettdruck. Wenn kein Thema vorhanden ist, geben Sie bitte „Allgemeines Gespräch“ zurück.',
};
const SUMMARIZE = {
  en: 'Summarize the discussion briefly in 200 words or less to use as a prompt for future context.',
  cn: '简要总结一下对话内容，用作后续的上下文提示 prompt，控制在 200 字以内',
  ru: 'Кратко подведите итоги содержимого беседы для использования в качестве последующего контекстного запроса, не более 200 слов',
  tw: 'Use the language used by the user (e.g. en-us for english conversation, zh-hant for chinese conversation, etc.) to summarise the conversation in at most 200 words. The summary will be used as prompt for you to continue the conversation in the future.',
  jp: '対話の内容を簡潔に要約し、後続のコンテキストプロンプトとして使用します。200文字以内に抑えてください',
  de: 'Fassen Sie den Gesprächsinhalt zusammen, um als Kontextaufforderung für den nächsten Schritt zu dienen, halten Sie es unter 200 Zeichen',
};

// The layout of NextChat 2.16's requests (summarizeSession in app/store/chat.ts): the recent conversation, then the
// title prompt as a user message, or the memory prompt first and the summary prompt as a final system message.
const CONVERSATION: ChatMessage[] = [
  { role: 'user', content: 'How do I take a backup of the data directory?' },
  { role: 'assistant', content: 'Stop the server and copy the data directory [1].' },
];
const titleRequest = (prompt: string): ChatMessage[] => [...CONVERSATION, { role: 'user', content: prompt }];
const summaryRequest = (prompt: string): ChatMessage[] => [
  { role: 'system', content: 'This is a summary of the chat history as a recap: backups.' },
  ...CONVERSATION,
  { role: 'system', content: prompt },
];

describe('NextChat 2.16 prompts', () => {
  it.each(Object.keys(TOPIC) as (keyof typeof TOPIC)[])(
    'should hold the %s prompts as NextChat sends them',
    (l) => {
      expect(NEXTCHAT_TOPIC_PROMPTS[l]).toBe(TOPIC[l]);
      expect(NEXTCHAT_SUMMARIZE_PROMPTS[l]).toBe(SUMMARIZE[l]);
    },
  );

  it('should hold both prompts of all 20 locales', () => {
    expect(Object.keys(NEXTCHAT_TOPIC_PROMPTS)).toHaveLength(20);
    expect(Object.keys(NEXTCHAT_SUMMARIZE_PROMPTS).sort()).toEqual(
      Object.keys(NEXTCHAT_TOPIC_PROMPTS).sort(),
    );
  });
});

describe('detectHousekeeping', () => {
  it.each(Object.entries(TOPIC))('should recognise the %s title request', (_, prompt) => {
    expect(detectHousekeeping(titleRequest(prompt))).toBe('title');
  });

  it.each(Object.entries(SUMMARIZE))('should recognise the %s memory-summary request', (_, prompt) => {
    expect(detectHousekeeping(summaryRequest(prompt))).toBe('summary');
  });

  it('should recognise the requests of every locale', () => {
    for (const prompt of Object.values(NEXTCHAT_TOPIC_PROMPTS)) {
      expect(detectHousekeeping(titleRequest(prompt))).toBe('title');
    }
    for (const prompt of Object.values(NEXTCHAT_SUMMARIZE_PROMPTS)) {
      expect(detectHousekeeping(summaryRequest(prompt))).toBe('summary');
    }
  });

  it('should match the prompts with other spacing and line breaks', () => {
    expect(detectHousekeeping(titleRequest(`  ${TOPIC.en.replace(/ /g, '  ')}\n`))).toBe('title');
    expect(detectHousekeeping(summaryRequest(`\n${SUMMARIZE.cn.replace(' prompt，', '\tprompt，')} `))).toBe(
      'summary',
    );
  });

  it('should read the prompt from multi-part content', () => {
    const content = [{ type: 'text', text: TOPIC.cn }];
    expect(detectHousekeeping([...CONVERSATION, { role: 'user', content }])).toBe('title');
  });

  it('should not take a prompt in another role or place for housekeeping', () => {
    expect(detectHousekeeping([...CONVERSATION, { role: 'system', content: TOPIC.en }])).toBeNull();
    expect(detectHousekeeping([{ role: 'system', content: SUMMARIZE.en }, ...CONVERSATION])).toBeNull();
    expect(detectHousekeeping([...CONVERSATION, { role: 'user', content: SUMMARIZE.en }])).toBeNull();
  });

  it('should leave an ordinary question to retrieval', () => {
    expect(detectHousekeeping(CONVERSATION.slice(0, 1))).toBeNull();
    expect(detectHousekeeping([])).toBeNull();
  });

  it('should recognise a latest user question about the conversation', () => {
    expect(detectHousekeeping([...CONVERSATION, { role: 'user', content: 'What did I ask before?' }])).toBe(
      'about-conversation',
    );
  });
});

describe('asksAboutConversation', () => {
  it.each([
    'Summarize our conversation',
    'please summarise this chat so far.',
    'Can you recap our discussion?',
    'Give me a short summary of the conversation',
    'What did I ask before?',
    'what did we talk about',
    'What was my first question again?',
    'What were we discussing earlier?',
    '总结一下我们的对话',
    '请总结我们刚才的聊天内容。',
    '我之前问了什么？',
    '我们刚才聊了什么呢',
    '我的上一个问题是什么',
    'Подведи итоги нашего разговора',
    'Кратко перескажи наш диалог, пожалуйста',
    'Что я спрашивал раньше?',
    'О чём мы говорили?',
    'สรุปบทสนทนาของเรา',
    'ช่วยสรุปการสนทนานี้หน่อยครับ',
    'ฉันถามอะไรไปก่อนหน้านี้',
    'เราคุยอะไรกันไปบ้าง',
  ])('should recognise %j', (text) => {
    expect(asksAboutConversation(text)).toBe(true);
  });

  it.each([
    'How do I take a backup of the data directory?',
    'How do I export a conversation from NextChat?',
    'Summarize the backup documentation',
    'Summarize our conversation about backups and tell me which command restores one',
    'What did the release notes say about backups?',
    'What did I need to install before kbgate?',
    '总结一下备份文档的内容',
    '如何导出对话记录？',
    'Что я должен сделать, чтобы восстановить резервную копию?',
    'Как сохранить историю чата?',
    'สรุปวิธีสำรองข้อมูล',
    'ฉันจะสำรองข้อมูลได้อย่างไร',
    '',
  ])('should leave %j to retrieval', (text) => {
    expect(asksAboutConversation(text)).toBe(false);
  });
});
