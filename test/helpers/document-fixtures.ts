/** Test documents built on the spot: PDFs (pdf-lib, with or without an outline) and Word files (docx). */
import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import { PDFDocument, PDFHexString, PDFName, PDFRef, PDFString, StandardFonts, type PDFPage } from 'pdf-lib';

/** One line of a PDF page: its text and font size (bold when a heading size). */
export interface PdfLine {
  text: string;
  size?: number;
}

/** A PDF page: its lines top down, and optionally a running header and footer. */
export interface PdfPage {
  lines: (PdfLine | string)[];
  header?: string;
  footer?: string;
}

/** An outline entry: title, 0-based page index, its height on the page, and children. */
export interface PdfOutlineItem {
  title: string;
  page: number;
  y?: number;
  children?: PdfOutlineItem[];
}

/** Builds an A4 PDF, text in Helvetica (body 11 pt), with an outline when one is given. */
export async function makePdf(
  pages: PdfPage[],
  options: { outline?: PdfOutlineItem[]; title?: string } = {},
): Promise<Buffer> {
  const doc = await PDFDocument.create();
  if (options.title) doc.setTitle(options.title);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const made: PDFPage[] = [];
  for (const spec of pages) {
    const page = doc.addPage([595, 842]);
    made.push(page);
    if (spec.header) page.drawText(spec.header, { x: 50, y: 810, size: 9, font: regular });
    if (spec.footer) page.drawText(spec.footer, { x: 280, y: 30, size: 9, font: regular });
    let y = 770;
    for (const raw of spec.lines) {
      const line = typeof raw === 'string' ? { text: raw } : raw;
      const size = line.size ?? 11;
      if (size > 11) y -= size * 0.6;
      page.drawText(line.text, { x: 50, y, size, font: size > 11 ? bold : regular });
      y -= size * 1.3;
    }
  }
  if (options.outline) addOutline(doc, made, options.outline);
  return Buffer.from(await doc.save());
}

/**
 * A PDF whose trailer declares the standard security handler with a user password (not the empty one): PDF.js
 * asks for a password, as it does for any encrypted PDF.
 */
export async function makeEncryptedPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage().drawText('secret', { x: 50, y: 700, font: await doc.embedFont(StandardFonts.Helvetica) });
  const { context } = doc;
  context.trailerInfo.Encrypt = context.register(
    context.obj({
      Filter: 'Standard',
      V: 1,
      R: 2,
      O: PDFHexString.of('11'.repeat(32)),
      U: PDFHexString.of('22'.repeat(32)),
      P: -4,
    }),
  );
  context.trailerInfo.ID = context.obj([PDFHexString.of('33'.repeat(16)), PDFHexString.of('33'.repeat(16))]);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Writes `/Outlines` by hand: pdf-lib has no outline API. */
function addOutline(doc: PDFDocument, pages: PDFPage[], items: PdfOutlineItem[]): void {
  const root = doc.context.nextRef();
  const [first, last, count] = addItems(doc, pages, items, root);
  doc.context.assign(root, doc.context.obj({ Type: 'Outlines', First: first, Last: last, Count: count }));
  doc.catalog.set(PDFName.of('Outlines'), root);
}

function addItems(
  doc: PDFDocument,
  pages: PDFPage[],
  items: PdfOutlineItem[],
  parent: PDFRef,
): [PDFRef, PDFRef, number] {
  const refs = items.map(() => doc.context.nextRef());
  let count = items.length;
  items.forEach((item, i) => {
    const page = pages[item.page] as PDFPage;
    const dict = doc.context.obj({
      Title: PDFString.of(item.title),
      Parent: parent,
      Dest: [page.ref, 'XYZ', 0, item.y ?? 800, null],
    });
    if (i > 0) dict.set(PDFName.of('Prev'), refs[i - 1] as PDFRef);
    if (i < items.length - 1) dict.set(PDFName.of('Next'), refs[i + 1] as PDFRef);
    if (item.children?.length) {
      const [first, last, inner] = addItems(doc, pages, item.children, refs[i] as PDFRef);
      dict.set(PDFName.of('First'), first);
      dict.set(PDFName.of('Last'), last);
      dict.set(PDFName.of('Count'), doc.context.obj(inner));
      count += inner;
    }
    doc.context.assign(refs[i] as PDFRef, dict);
  });
  return [refs[0] as PDFRef, refs[refs.length - 1] as PDFRef, count];
}

/** A Word document block: a heading (level 0 is Word's Title style), a paragraph, a bullet or a table. */
export type DocxBlock =
  | { heading: string; level: 0 | 1 | 2 | 3 }
  | { paragraph: string; bold?: string }
  | { bullet: string }
  | { table: string[][] };

const LEVELS = [HeadingLevel.TITLE, HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3];

/** Builds a .docx with the `docx` library, as Word writes them (styles, numbering, document properties). */
export async function makeDocx(
  blocks: DocxBlock[],
  properties: { title?: string; creator?: string } = {},
): Promise<Buffer> {
  const children = blocks.map((block) => {
    if ('heading' in block) return new Paragraph({ text: block.heading, heading: LEVELS[block.level] });
    if ('bullet' in block) return new Paragraph({ text: block.bullet, bullet: { level: 0 } });
    if ('table' in block)
      return new Table({
        rows: block.table.map(
          (row) =>
            new TableRow({ children: row.map((cell) => new TableCell({ children: [new Paragraph(cell)] })) }),
        ),
      });
    const runs = [new TextRun(block.paragraph)];
    if (block.bold) runs.push(new TextRun({ text: block.bold, bold: true }));
    return new Paragraph({ children: runs });
  });
  const doc = new Document({ ...properties, sections: [{ children }] });
  return Packer.toBuffer(doc);
}
