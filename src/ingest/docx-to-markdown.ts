/** Word (.docx) to Markdown: the container checked, mammoth to semantic HTML, then the HTML path. */
import mammoth from 'mammoth';
import { ConversionError, type ConvertedDocument } from './converted-document.js';
import { convertHtml } from './html-to-markdown.js';
import { checkZip, DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-guard.js';

/** Word styles mammoth does not map by default: the document title is a top heading, a subtitle a paragraph. */
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => p:fresh"];

/** Images become their alt text; their bytes are never read. */
const NO_IMAGES = mammoth.images.imgElement(() => Promise.resolve({ src: '' }));

/**
 * Converts a Word document to Markdown: Word's heading styles become headings, lists, tables and links stay,
 * images become their alt text; the document's properties give a title for documents without a top heading.
 *
 * @throws {ConversionError} for encrypted, damaged or oversized containers ({@link checkZip}).
 */
export async function convertDocx(
  bytes: Buffer,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<ConvertedDocument> {
  const parts = checkZip(bytes, limits);
  if (!parts.has('word/document.xml'))
    throw new ConversionError('corrupt', 'a zip without word/document.xml, so not a Word document');
  let result;
  try {
    result = await mammoth.convertToHtml(
      { buffer: bytes },
      { styleMap: STYLE_MAP, convertImage: NO_IMAGES, externalFileAccess: false },
    );
  } catch (error) {
    throw new ConversionError('corrupt', `Word could not be read: ${(error as Error).message}`);
  }
  const converted = convertHtml(result.value);
  const properties = coreProperties(parts.get('docProps/core.xml') ?? '');
  const errors = result.messages
    .filter((message) => message.type === 'error')
    .map((message) => message.message);
  return {
    ...converted,
    fallbackTitle: properties.title,
    metadata: { ...properties.metadata, ...converted.metadata },
    warnings: [...converted.warnings, ...errors],
  };
}

/** `dc:title`, `dc:creator` (as `author`), `dc:description` and `cp:keywords` (as `tags`) of docProps/core.xml. */
function coreProperties(xml: string): { title: string | null; metadata: Record<string, string | string[]> } {
  const field = (tag: string): string | null => {
    const match = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
    const value = match?.[1] === undefined ? '' : decodeEntities(match[1]).trim();
    return value === '' ? null : value;
  };
  const metadata: Record<string, string | string[]> = {};
  const author = field('dc:creator');
  const description = field('dc:description');
  const keywords = field('cp:keywords');
  if (author !== null) metadata.author = author;
  if (description !== null) metadata.description = description;
  if (keywords !== null) {
    const tags = keywords
      .split(/[,;]/)
      .map((tag) => tag.trim())
      .filter(Boolean);
    if (tags.length > 0) metadata.tags = tags;
  }
  return { title: field('dc:title'), metadata };
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => fromCodePoint(parseInt(code, 16)))
    .replace(/&amp;/g, '&');
}

function fromCodePoint(code: number): string {
  return code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
}
