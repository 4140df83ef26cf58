/** Plain-text tables and per-question detail for `npm run eval:kb`. */
import type { GroupScores, HitSummary, QuestionResult } from './evaluate.js';

const HEADER = [
  'n',
  'answerable',
  'hit@3',
  'MRR@10',
  'injected',
  'grounded',
  'unanswerable',
  'injected',
] as const;
const WIDTHS = [4, 11, 7, 7, 9, 9, 13, 9] as const;

/** A table with one row per group: ranking and injection of answerable questions, injection of unanswerable ones. */
export function formatTable(title: string, rows: readonly [string, GroupScores][]): string {
  const labelWidth = Math.max(title.length, ...rows.map(([label]) => label.length)) + 2;
  const line = (label: string, cells: readonly string[]) =>
    label.padEnd(labelWidth) + cells.map((cell, i) => cell.padStart(WIDTHS[i] ?? 8)).join('');
  const out = [line(title, HEADER)];
  for (const [label, s] of rows) {
    out.push(
      line(label, [
        String(s.questions),
        String(s.answerable),
        fixed(s.hit3),
        fixed(s.mrr),
        fixed(s.answerableInjected),
        fixed(s.grounded),
        String(s.unanswerable),
        fixed(s.unanswerableInjected),
      ]),
    );
  }
  return out.join('\n');
}

/** One block per question: verdict, then the first hits with their source, heading and scores. */
export function formatQuestion(result: QuestionResult): string {
  const verdict = result.answerable
    ? `rank ${result.rank ?? '-'}, ${result.injected} injected, ${result.grounded ? 'grounded' : 'not grounded'}`
    : `unanswerable, ${result.injected} injected`;
  const lines = [`${result.id} [${result.kind}] ${verdict}\n  ${result.question}`];
  result.top.forEach((hit, i) => lines.push(`  ${i + 1}. ${formatHit(hit)}`));
  if (result.top.length === 0) lines.push('  (no hits)');
  return lines.join('\n');
}

function formatHit(hit: HitSummary): string {
  const where = `${hit.path ?? hit.id}${hit.lines ? `:${hit.lines[0]}-${hit.lines[1]}` : ''}`;
  const scores = [`score ${hit.score.toFixed(4)}`];
  if (hit.relevance !== undefined) scores.push(`relevance ${hit.relevance.toFixed(3)}`);
  const heading = hit.heading.length > 60 ? `${hit.heading.slice(0, 59)}…` : hit.heading;
  return `${hit.relevant ? '+' : ' '} ${where}  "${heading}"  ${scores.join(', ')}`;
}

function fixed(value: number | null): string {
  return value === null ? '-' : value.toFixed(3);
}
