// "What the proxy would add": the retrieval proxy's decision for a question, its passages and token budget.
import { fill, h, num } from './dom.js';

const REASONS = {
  'below-threshold': (p) =>
    `No passage reaches the least relevance ${num(p.minRelevance)}: the question goes to the model unchanged.`,
  'no-collection': (p) =>
    `The collection "${p.collection}" does not exist: the question goes to the model unchanged.`,
  'no-room': (p) =>
    `${num(p.found)} relevant passage(s) found, but the conversation leaves no room for them in the model's context.`,
  housekeeping: (p) =>
    `This reads as NextChat's own request (${p.housekeeping ?? 'about the conversation'}): kbgate adds nothing to it.`,
  'no-query': () => 'There is no question to search for.',
  disabled: () => 'Retrieval is off (KBGATE_PROXY_PASSAGES=0).',
  failed: () => 'The search failed; the question would go to the model unchanged (see kbgate’s log).',
};

/** Shows a preview (`POST console/api/preview`) in `section`. */
export function showPreview(section, p) {
  const head = h('h2', { id: 'preview-h' }, 'What the proxy would add');
  const settings = h(
    'p',
    { className: 'muted' },
    `From "${p.collection}": at most ${num(p.maxPassages)} passages, ${num(p.maxChars)} characters, relevance ≥ ${num(p.minRelevance)}.`,
  );
  if (p.outcome !== 'added') {
    const reason = REASONS[p.outcome]?.(p) ?? p.outcome;
    fill(
      section,
      head,
      h(
        'p',
        { className: 'outcome none', 'data-outcome': p.outcome },
        h('strong', {}, 'Nothing added. '),
        reason,
      ),
      settings,
      budget(p),
    );
    return;
  }
  fill(
    section,
    head,
    h(
      'p',
      { className: 'outcome added', 'data-outcome': p.outcome },
      h('strong', {}, `${p.passages.length} passage(s) added`),
      p.found > p.passages.length ? ` of ${num(p.found)} relevant` : '',
    ),
    budget(p),
    settings,
    h(
      'ol',
      { className: 'added' },
      p.passages.map((passage) =>
        h(
          'li',
          {},
          h(
            'div',
            { className: 'cite' },
            passage.cite,
            h('span', { className: 'muted' }, ` · relevance ${num(passage.relevance)}`),
          ),
          h('p', { className: 'passage' }, passage.text),
        ),
      ),
    ),
    p.message
      ? h(
          'details',
          {},
          h('summary', {}, 'The message the model receives'),
          h('pre', { className: 'message' }, p.message),
        )
      : null,
  );
}

function budget(p) {
  if (!p.budget) return null;
  const b = p.budget;
  const counted = b.counted === 'upstream' ? "counted by the model's tokenizer" : 'estimated';
  const room = Math.max(b.room, 0);
  return h(
    'p',
    { className: 'budget' },
    h('meter', {
      min: 0,
      max: Math.max(room, 1),
      value: Math.min(b.used, room),
      'aria-label': 'Token budget used',
    }),
    ` ${num(b.used)} of the ${num(room)} tokens left for passages (context ${num(b.contextLength)} tokens, ${counted})`,
  );
}
