import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, describeDecoding, describeEncoding } from './decode-text.js';

const RUSSIAN =
  '# Резервное копирование\n\nОстановите контейнер ChromaDB и сохраните том с данными, затем проверьте журнал.\n';
const CHINESE = '# 备份\n\n先停止容器，然后保存数据卷。如果容器无法启动，请查看日志并确认端口没有被占用。\n';
const JAPANESE = '# バックアップ\n\nコンテナを停止してから、データボリュームを保存してください。\n';
const THAI = '# การสำรองข้อมูล\n\nให้หยุดคอนเทนเนอร์ก่อนแล้วบันทึกโวลุ่มข้อมูล หากคอนเทนเนอร์ไม่เริ่มทำงาน ให้ตรวจสอบบันทึก\n';
const SPANISH =
  '# Configuración\n\nLa copia de seguridad se guarda en el volumen. Después de detener el contenedor, revise el registro.\n';

/** Text as it looks after UTF-8 was decoded with `encoding` and saved again as UTF-8. */
function misread(text: string, encoding: string): Buffer {
  return Buffer.from(iconv.decode(Buffer.from(text, 'utf8'), encoding), 'utf8');
}

describe('decodeText', () => {
  it.each([
    ['Russian', RUSSIAN, 'windows-1251'],
    ['Chinese', CHINESE, 'gb18030'],
    ['Japanese', JAPANESE, 'shift_jis'],
    ['Thai', THAI, 'windows-874'],
    ['Spanish', SPANISH, 'windows-1252'],
  ])('should detect %s in %s and report it', (_language, text, encoding) => {
    const source = encoding === 'windows-874' ? 'tis-620' : encoding === 'gb18030' ? 'gbk' : encoding;
    const result = decodeText(iconv.encode(text, source));
    expect(result).toMatchObject({ ok: true, text, encoding: { source: 'detected', encoding } });
    if (!result.ok) return;
    expect(describeEncoding(result.encoding)).toMatch(
      new RegExp(`^not UTF-8: decoded as ${encoding} \\(detected`),
    );
  });

  it.each([
    ['Russian', RUSSIAN],
    ['Chinese', CHINESE],
    ['Thai', THAI],
  ])('should repair the Mac Roman mojibake of UTF-8 %s and say so', (_language, text) => {
    const result = decodeText(misread(text, 'macintosh'));
    expect(result).toMatchObject({
      ok: true,
      text,
      encoding: { source: 'utf-8' },
      repair: { misreadAs: 'macintosh' },
    });
    if (!result.ok) return;
    expect(describeDecoding(result)).toEqual([
      expect.stringMatching(
        /^repaired \d+ mis-encoded line\(s\): UTF-8 text that had been read as Mac Roman/,
      ),
    ]);
  });

  it('should read UTF-8 as it is and report nothing', () => {
    const result = decodeText(Buffer.from(RUSSIAN, 'utf8'));
    expect(result).toMatchObject({ ok: true, text: RUSSIAN, encoding: { source: 'utf-8' } });
    if (result.ok) expect(describeDecoding(result)).toEqual([]);
  });

  it('should follow a byte order mark, UTF-16 included', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CHINESE, 'utf16le')]);
    expect(decodeText(utf16)).toMatchObject({
      ok: true,
      text: CHINESE,
      encoding: { source: 'bom', encoding: 'utf-16le' },
    });
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(THAI)]);
    expect(decodeText(utf8)).toMatchObject({ ok: true, text: THAI, encoding: { source: 'utf-8' } });
  });

  it('should use a declared encoding that reads the bytes as text, and say when it does not', () => {
    const bytes = iconv.encode(RUSSIAN, 'koi8-r');
    expect(decodeText(bytes, { declared: 'KOI8-R' })).toMatchObject({
      ok: true,
      text: RUSSIAN,
      encoding: { source: 'declared', encoding: 'koi8-r' },
    });
    const wrong = decodeText(iconv.encode(RUSSIAN, 'windows-1251'), { declared: 'utf-8' });
    expect(wrong).toMatchObject({ ok: true, text: RUSSIAN, encoding: { source: 'detected' } });
    if (wrong.ok)
      expect(describeEncoding(wrong.encoding)).toMatch(/it declares UTF-8 but is not valid UTF-8$/);
  });

  it('should read a file whose encoding cannot be decided as it is, with a warning and no guess', () => {
    const noise = Buffer.from(Array.from({ length: 300 }, (_, i) => ((i * 7919 + 13) % 223) + 32));
    const result = decodeText(noise);
    expect(result).toMatchObject({ ok: true, encoding: { source: 'undecided', encoding: 'utf-8' } });
    if (!result.ok) return;
    expect(result.text).toBe(new TextDecoder().decode(noise));
    expect(describeEncoding(result.encoding)).toMatch(
      /^not UTF-8 and its encoding could not be decided \(the best guess, .+, has confidence 0\.\d\d\): ingested as it is, \d+ invalid byte sequence\(s\) shown as U\+FFFD$/,
    );
  });

  it('should refuse binary files', () => {
    expect(decodeText(Buffer.from([0x23, 0x00, 0x01]))).toMatchObject({ ok: false, reason: 'binary' });
  });
});
