import { describe, expect, it } from 'vitest';
import { estimateTokens, passageTokenBudget, requestedAnswerTokens } from './token-budget.js';

describe('estimateTokens', () => {
  it('should count one token per Han, kana, Hangul and Thai character', () => {
    expect(estimateTokens('数据目录')).toBe(4);
    expect(estimateTokens('バックアップ')).toBe(6);
    expect(estimateTokens('백업')).toBe(2);
    expect(estimateTokens('สำรองข้อมูล')).toBe('สำรองข้อมูล'.length);
  });

  it('should count Cyrillic words at one token per two letters and Latin words at one per three', () => {
    expect(estimateTokens('резервная')).toBe(5);
    expect(estimateTokens('backup')).toBe(2);
    expect(estimateTokens('a cat')).toBe(2);
  });

  it('should count digits, punctuation, newlines and extra spaces one each, emoji three', () => {
    expect(estimateTokens('2048')).toBe(4);
    expect(estimateTokens('a, b.\n')).toBe(5);
    expect(estimateTokens('a    b')).toBe(5);
    expect(estimateTokens('🙂')).toBe(3);
  });

  it('should count CJK text at several times the tokens of English text of the same length', () => {
    const english = 'Take a backup by copying the data directory while the server is stopped. '.repeat(20);
    const chinese = '备份数据目录的方法是先停止服务器然后复制整个目录。'.repeat(60);
    expect(chinese.length).toBeLessThan(english.length * 1.1);
    expect(estimateTokens(chinese)).toBeGreaterThan(estimateTokens(english) * 2.5);
  });
});

describe('passageTokenBudget', () => {
  it('should leave the context minus the conversation, its template, the answer and a margin', () => {
    const room = passageTokenBudget({
      contextLength: 2048,
      conversationTokens: 100,
      messageCount: 2,
      maxTokens: 512,
    });
    expect(room).toBe(2048 - 100 - 512 - 103 - (64 + 2 * 8));
  });

  it('should keep a quarter of the context for the answer, at most 1024 tokens, when the request sets none', () => {
    const small = passageTokenBudget({
      contextLength: 2048,
      conversationTokens: 0,
      messageCount: 0,
      maxTokens: null,
    });
    const large = passageTokenBudget({
      contextLength: 32768,
      conversationTokens: 0,
      messageCount: 0,
      maxTokens: null,
    });
    expect(small).toBe(2048 - 512 - 103 - 64);
    expect(large).toBe(32768 - 1024 - 1639 - 64);
  });

  it('should leave no room when the conversation fills the context', () => {
    const room = passageTokenBudget({
      contextLength: 2048,
      conversationTokens: 1900,
      messageCount: 9,
      maxTokens: 64,
    });
    expect(room).toBeLessThanOrEqual(0);
  });
});

describe('requestedAnswerTokens', () => {
  it('should read max_tokens, else max_completion_tokens, else null', () => {
    expect(requestedAnswerTokens({ max_tokens: 300 })).toBe(300);
    expect(requestedAnswerTokens({ max_completion_tokens: 200 })).toBe(200);
    expect(requestedAnswerTokens({ max_tokens: null })).toBeNull();
    expect(requestedAnswerTokens({ max_tokens: 0 })).toBeNull();
    expect(requestedAnswerTokens({})).toBeNull();
  });
});
