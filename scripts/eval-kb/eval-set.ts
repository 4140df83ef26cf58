/** The fixed question set of `npm run eval:kb`, and how a search hit is judged relevant to a question. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Metadata } from '../../src/engine/types.js';

/** Languages the questions are written in. */
export const LANGUAGES = ['en', 'zh', 'ru', 'th'] as const;
/** How a question relates to the text that answers it. */
export const KINDS = ['direct', 'reworded', 'cross-lingual', 'unanswerable'] as const;

export type Language = (typeof LANGUAGES)[number];
export type Kind = (typeof KINDS)[number];

const answerSchema = z
  .object({
    path: z.string().min(1),
    heading: z.string().min(1).optional(),
    lines: z
      .tuple([z.number().int().positive(), z.number().int().positive()])
      .refine(([start, end]) => start <= end, 'lines must be [start, end] with start <= end')
      .optional(),
  })
  .strict();

const questionSchema = z
  .object({
    id: z.string().min(1),
    lang: z.enum(LANGUAGES),
    kind: z.enum(KINDS),
    question: z.string().min(1),
    answers: z.array(answerSchema),
    note: z.string().optional(),
  })
  .strict()
  .refine((q) => (q.kind === 'unanswerable') === (q.answers.length === 0), {
    message: 'unanswerable questions have no answers, every other question has at least one',
  });

const evalSetSchema = z.object({
  description: z.string().optional(),
  corpus: z.object({
    kbSeeds: z.string().min(1),
    packages: z.array(
      z.object({
        name: z.string().min(1),
        version: z.string().min(1),
        files: z.array(z.string().min(1)).min(1),
      }),
    ),
  }),
  questions: z.array(questionSchema).min(1),
});

/** Where the corpus answers a question: a source path, optionally narrowed to a heading and a line range. */
export type AnswerLocation = z.infer<typeof answerSchema>;
/** One evaluation question with its judged answer locations (none when the corpus cannot answer it). */
export type EvalQuestion = z.infer<typeof questionSchema>;
/** An npm package whose Markdown files are part of the corpus, at the version the questions were judged on. */
export type CorpusPackage = EvalSet['corpus']['packages'][number];
/** The whole evaluation: which corpus to ingest, and the questions. */
export type EvalSet = z.infer<typeof evalSetSchema>;

/** Reads and checks a question file; throws naming the first problem. */
export function readEvalSet(file: string): EvalSet {
  const parsed = evalSetSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const ids = parsed.data.questions.map((q) => q.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new Error(`${file}: question id ${duplicate} is used twice`);
  return parsed.data;
}

/**
 * Whether a chunk (by the metadata the ingester wrote) answers a question.
 *
 * @remarks A chunk matches a location when its `source` equals the path, its heading path contains `heading`
 * (when given) and its `start_line`-`end_line` range overlaps `lines` (when given). Line ranges stay valid when
 * chunking changes, which headings do not: small sections are merged under the first one's heading.
 */
export function isRelevant(metadata: Metadata | null, answers: readonly AnswerLocation[]): boolean {
  if (metadata === null) return false;
  const start = metadata.start_line;
  const end = metadata.end_line;
  return answers.some((answer) => {
    if (metadata.source !== answer.path) return false;
    if (answer.heading !== undefined && !headingPathOf(metadata).includes(answer.heading)) return false;
    if (answer.lines === undefined) return true;
    if (typeof start !== 'number' || typeof end !== 'number') return false;
    return start <= answer.lines[1] && end >= answer.lines[0];
  });
}

/** The chunk's heading path as one ` > `-joined string (the ingester may store a string or an array). */
export function headingPathOf(metadata: Metadata | null): string {
  const path = metadata?.heading_path;
  if (Array.isArray(path)) return path.join(' > ');
  return typeof path === 'string' ? path : '';
}
