import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ConversionError } from './converted-document.js';
import { convertHtml, declaredCharset, MAX_HTML_DEPTH } from './html-to-markdown.js';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Install | Acme Docs</title>
<meta name="description" content="How to install Acme"><meta name="keywords" content="setup, linux">
<style>body { color: red }</style><script>trackVisitor()</script></head>
<body>
<header><a href="/">Acme</a><nav><a href="/docs">Docs</a> <a href="/blog">Blog</a></nav></header>
<div class="page">
  <h1 id="install">Install</h1>
  <p>Download the <b>package</b>. <img src="data:image/png;base64,AAAA" alt="Setup diagram"></p>
  <h2><a name="on-linux"></a>On Linux</h2>
  <pre><code class="language-sh">apt install acme</code></pre>
  <table><tr><td>os</td><td>command</td></tr><tr><td>debian</td><td>apt</td></tr></table>
  <h2>Troubleshooting</h2>
  <ul><li>Check the log.</li><li>Restart.</li></ul>
  <p hidden>Hidden text</p><span aria-hidden="true">icon</span>
  <form><input name="q"><button>Search</button></form>
</div>
<aside>Related pages</aside>
<footer>Copyright Acme</footer>
</body></html>`;

describe('convertHtml', () => {
  it('should keep the content as Markdown and drop scripts, styles, navigation, forms and page chrome', () => {
    const converted = convertHtml(PAGE);
    expect(converted.markdown).toBe(
      [
        '# Install',
        '',
        'Download the **package**. Setup diagram',
        '',
        '## On Linux',
        '',
        '```sh',
        'apt install acme',
        '```',
        '',
        '| os     | command |',
        '| ------ | ------- |',
        '| debian | apt     |',
        '',
        '## Troubleshooting',
        '',
        '- Check the log.',
        '- Restart.',
        '',
      ].join('\n'),
    );
    for (const chrome of [
      'trackVisitor',
      'color: red',
      'Blog',
      'Hidden text',
      'icon',
      'Search',
      'Related',
      'Copyright',
    ])
      expect(converted.markdown).not.toContain(chrome);
  });

  it('should read the title, description and keywords, and keep heading ids as anchors', () => {
    expect(convertHtml(PAGE)).toMatchObject({
      title: null,
      fallbackTitle: 'Install | Acme Docs',
      metadata: { description: 'How to install Acme', tags: ['setup', 'linux'] },
      headingAnchors: ['install', 'on-linux', null],
      pageStarts: null,
    });
  });

  it('should unwrap links within the page, such as a heading’s link to itself', () => {
    const html =
      '<h2 id="usage"><a href="#usage">Usage</a></h2><p>See <a href="#install">install</a> and <a href="https://x.test/">x</a>.</p>';
    expect(convertHtml(html).markdown).toBe('## Usage\n\nSee install and [x](https://x.test/).\n');
  });

  it('should take only the main element when there is one', () => {
    const html =
      '<body><div>Site banner</div><main><h1>Guide</h1><p>Body text.</p></main><div>Sidebar</div></body>';
    expect(convertHtml(html).markdown).toBe('# Guide\n\nBody text.\n');
  });

  it('should keep an article’s own header and footer', () => {
    const html =
      '<body><article><header><h1>Post</h1></header><p>Text.</p><footer>By Ann</footer></article></body>';
    expect(convertHtml(html).markdown).toBe('# Post\n\nText.\n\nBy Ann\n');
  });

  it('should refuse elements nested deeper than the limit, however deep', () => {
    for (const depth of [MAX_HTML_DEPTH + 10, 50_000]) {
      const error = thrown(() => convertHtml('<div>'.repeat(depth) + 'x'));
      expect(error).toBeInstanceOf(ConversionError);
      expect(error).toMatchObject({
        reason: 'over-limit',
        message: expect.stringMatching(/over the limit of 512$/),
      });
    }
  });
});

describe('declaredCharset', () => {
  it('should find <meta charset>, http-equiv and XML declarations, and nothing else', () => {
    expect(declaredCharset(Buffer.from('<html><head><meta charset="windows-1251">'))).toBe('windows-1251');
    expect(
      declaredCharset(Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">')),
    ).toBe('Shift_JIS');
    expect(declaredCharset(Buffer.from('<?xml version="1.0" encoding="GBK"?><html>'))).toBe('GBK');
    expect(declaredCharset(iconv.encode('<html><p>Привет</p></html>', 'windows-1251'))).toBeNull();
  });
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
