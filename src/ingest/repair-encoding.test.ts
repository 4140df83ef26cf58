import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { repairMojibake } from './repair-encoding.js';

/** Text as it looks after UTF-8 was decoded with `encoding` and saved again as UTF-8. */
function misread(text: string, encoding: string): string {
  return iconv.decode(Buffer.from(text, 'utf8'), encoding);
}

describe('repairMojibake', () => {
  it.each([
    ['macintosh', 'Исправления проблем с ChromaDB 🔧'],
    ['windows-1252', 'Configuración — café'],
    ['latin1', 'Größe und Übergröße'],
  ])('should repair UTF-8 misread as %s', (encoding, original) => {
    const damaged = misread(original, encoding);
    expect(damaged).not.toBe(original);
    const repair = repairMojibake(damaged);
    expect(repair.text).toBe(original);
    expect(repair.misreadAs).not.toBeNull();
    expect(repair.lines).toBe(1);
  });

  it.each([
    'café naïve résumé — “quoted”',
    'Привет, мир',
    '机器学习是人工智能的一个分支',
    'ฉันชอบกินข้าวผัด',
    'plain ASCII only',
    '© 2024 Ω µ',
  ])('should leave correct text alone: %s', (text) => {
    expect(repairMojibake(text)).toEqual({ text, misreadAs: null, lines: 0 });
  });

  it('should repair only the damaged lines of a partly damaged text', () => {
    const text = ['# Заголовок', misread('Текст абзаца', 'macintosh'), 'ASCII line'].join('\n');
    const repair = repairMojibake(text);
    expect(repair.text).toBe(['# Заголовок', 'Текст абзаца', 'ASCII line'].join('\n'));
    expect(repair.lines).toBe(1);
  });
});
