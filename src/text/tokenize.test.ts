import { describe, expect, it } from 'vitest';
import { segmentWords, splitWords } from './tokenize.js';

describe('segmentWords', () => {
  it('should leave text in spaced scripts unchanged', () => {
    expect(segmentWords('Running dogs, naïve café.')).toBe('Running dogs, naïve café.');
  });

  it('should put spaces between Chinese words', () => {
    expect(segmentWords('我喜欢机器学习')).toBe('我 喜欢 机器 学习');
  });

  it('should put spaces between Thai words', () => {
    expect(segmentWords('ฉันชอบกินข้าวผัด')).toBe('ฉัน ชอบ กิน ข้าว ผัด');
  });

  it('should segment Japanese mixed kanji and kana', () => {
    expect(segmentWords('機械学習が好きです').split(' ')).toEqual(['機械', '学習', 'が', '好き', 'です']);
  });

  it('should separate an unspaced run from Latin letters that touch it', () => {
    expect(segmentWords('GPT模型很好')).toBe('GPT 模型 很好');
  });

  it('should normalise full-width Latin and digits to ASCII', () => {
    expect(segmentWords('ＡＢＣ１２３')).toBe('ABC123');
  });

  it('should segment the same run identically wherever it appears', () => {
    const alone = segmentWords('自然语言处理');
    const inText = segmentWords('我们研究自然语言处理。');
    expect(inText).toContain(alone);
  });
});

describe('splitWords', () => {
  it('should drop punctuation and spaces', () => {
    expect(splitWords('你好，世界！')).toEqual(['你好', '世界']);
  });
});

describe('segmentWords with Thai SARA AM', () => {
  it('should keep ำ whole so Thai words segment as the dictionary knows them', () => {
    expect(segmentWords('การสำรองข้อมูล')).toBe('การ สำรอง ข้อมูล');
  });
});
