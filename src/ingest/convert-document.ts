/** HTML, Word and PDF files to Markdown: the conversion the converter worker runs, one file at a time. */
import { ConversionError, type ConvertedDocument } from './converted-document.js';
import { decodeText, describeDecoding } from './decode-text.js';
import { convertDocx } from './docx-to-markdown.js';
import type { DocumentFormat } from './formats.js';
import { convertHtml, declaredCharset } from './html-to-markdown.js';
import { convertPdf, DEFAULT_PDF_LIMITS } from './pdf-to-markdown.js';
import { DEFAULT_ZIP_LIMITS } from './zip-guard.js';

/** A format converted to Markdown before it is chunked. */
export type ConvertedFormat = Extract<DocumentFormat, 'html' | 'docx' | 'pdf'>;

/** What one conversion may use: pages, characters of text, zip entries and inflated XML. */
export interface ConversionLimits {
  maxPages: number;
  maxChars: number;
  maxZipEntries: number;
  maxXmlBytes: number;
}

/** The defaults documented in the README. */
export const DEFAULT_CONVERSION_LIMITS: ConversionLimits = {
  ...DEFAULT_PDF_LIMITS,
  maxZipEntries: DEFAULT_ZIP_LIMITS.maxEntries,
  maxXmlBytes: DEFAULT_ZIP_LIMITS.maxXmlBytes,
};

/**
 * Converts one file to Markdown.
 *
 * @throws {ConversionError} when the file cannot be converted; any other error is a converter's failure on that
 * file and is reported as `corrupt`.
 */
export async function convertDocument(
  format: ConvertedFormat,
  bytes: Buffer,
  limits: ConversionLimits = DEFAULT_CONVERSION_LIMITS,
): Promise<ConvertedDocument> {
  let converted: ConvertedDocument;
  try {
    converted = await convertByFormat(format, bytes, limits);
  } catch (error) {
    if (error instanceof ConversionError) throw error;
    if (error instanceof RangeError)
      throw new ConversionError('over-limit', `too complex to convert (${error.message})`);
    throw new ConversionError('corrupt', `could not be converted: ${(error as Error).message}`);
  }
  if (converted.markdown.length > limits.maxChars)
    throw new ConversionError(
      'over-limit',
      `${converted.markdown.length} characters of text, over the limit of ${limits.maxChars}`,
    );
  return converted;
}

function convertByFormat(
  format: ConvertedFormat,
  bytes: Buffer,
  limits: ConversionLimits,
): Promise<ConvertedDocument> {
  switch (format) {
    case 'html':
      return Promise.resolve(convertHtmlFile(bytes));
    case 'docx':
      return convertDocx(bytes, { maxEntries: limits.maxZipEntries, maxXmlBytes: limits.maxXmlBytes });
    case 'pdf':
      return convertPdf(bytes, limits);
  }
}

/** An HTML file in whatever encoding it declares or is detected in. */
function convertHtmlFile(bytes: Buffer): ConvertedDocument {
  const decoded = decodeText(bytes, { declared: declaredCharset(bytes), markup: true });
  if (!decoded.ok) throw new ConversionError('binary', decoded.message);
  const converted = convertHtml(decoded.text);
  return { ...converted, warnings: [...describeDecoding(decoded), ...converted.warnings] };
}
