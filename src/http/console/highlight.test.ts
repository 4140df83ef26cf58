import { describe, expect, it } from 'vitest';
import { highlightSpans } from './highlight.js';

function marked(text: string, query: string): string[] {
  return highlightSpans(text, query).map(([start, end]) => text.slice(start, end));
}

describe('highlightSpans', () => {
  it('should mark the words of any form that share a stem with the query words', () => {
    expect(marked('The car needs new tyres before the winter season.', 'tyre for my car')).toEqual([
      'car',
      'tyres',
    ]);
    expect(marked('Configure the probes', 'configuration')).toEqual(['Configure']);
  });

  it('should mark identifiers whose parts the query names', () => {
    expect(marked('Set healthCheck, health_check or health-check', 'health check')).toEqual([
      'healthCheck',
      'health_check',
      'health',
      'check',
    ]);
  });

  it('should mark function words only when the query has nothing else', () => {
    expect(marked('How to restore it', 'how to restore')).toEqual(['restore']);
    expect(marked('How to do it', 'how')).toEqual(['How']);
  });

  it('should join adjacent Chinese words and mark Russian forms', () => {
    expect(marked('机器学习是人工智能的一个分支。深度学习使用神经网络。', '什么是机器学习')).toEqual([
      '机器学习',
      '学习',
    ]);
    expect(marked('Сервер хранит резервные копии', 'резервное копирование сервера')).toEqual([
      'Сервер',
      'резервные',
    ]);
  });

  it('should mark Thai words however normalisation splits them, in original offsets', () => {
    const text = 'เริ่มต้นใช้งาน > การสำรองข้อมูล';
    expect(marked(text, 'การสำรองข้อมูล')).toEqual(['สำรองข้อมูล']); // การ is a function word
    expect(marked('ฉันชอบกินข้าวผัดกับไก่ทอด', 'ข้าวผัด')).toEqual(['ข้าวผัด']);
  });

  it('should mark nothing for a query without words', () => {
    expect(highlightSpans('anything', '?!')).toEqual([]);
  });
});
