import { describe, expect, it } from 'vitest';
import { SEGMENT_WINDOW, segmentWords, segmentWordsBounded, splitWords } from './tokenize.js';

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

describe('segmentWordsBounded', () => {
  const seg = new Intl.Segmenter(undefined, { granularity: 'word' });
  const whole = (text: string) => [...seg.segment(text)].map((s) => [s.segment, s.index]);
  const bounded = (text: string) => [...segmentWordsBounded(text)].map((s) => [s.segment, s.index]);

  it('should segment like Intl.Segmenter across window boundaries', () => {
    const thai = 'ฉันชอบกินข้าวผัดกับไก่ทอดที่ตลาด'.repeat(120);
    const mixed = 'Chroma 的健康检查 health check ขั้นตอนการสำรองข้อมูล. '.repeat(80);
    for (const text of [thai, mixed, 'short text']) {
      expect(text.length > SEGMENT_WINDOW || text === 'short text').toBe(true);
      expect(bounded(text)).toEqual(whole(text));
    }
  });

  it('should cover every character exactly once, even for a word longer than a window', () => {
    const text = `${'x'.repeat(2_500)} ${'😀'.repeat(700)}`;
    const parts = [...segmentWordsBounded(text)];
    expect(parts.map((p) => p.segment).join('')).toBe(text);
    for (const part of parts)
      expect(text.slice(part.index, part.index + part.segment.length)).toBe(part.segment);
  });

  it('should segment a long unspaced Thai text in linear time', () => {
    // 140,000 characters took about a minute through one Intl.Segmenter call; windows make it proportional.
    const text = 'ฉันชอบกินข้าวผัดกับไก่ทอดที่ตลาด'.repeat(4_500);
    expect(splitWords(text).length).toBeGreaterThan(30_000);
  });
});
