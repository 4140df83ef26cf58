/* global URLSearchParams, location */
// Search playground: /search's hybrid search with highlights and scores, beside what the retrieval proxy would add.
import { api, getOverview } from './api.js';
import { describeSource, fill, h, link, marked, notice, num, recordRoute } from './dom.js';
import { showPreview } from './preview.js';

const MODES = [
  ['hybrid', 'Hybrid (BM25 + vectors)'],
  ['lexical', 'Lexical (BM25)'],
  ['vector', 'Vector'],
];

export async function renderSearch(main, route) {
  const overview = await getOverview();
  const params = route.params;
  const form = searchForm(overview, params);
  const results = h('section', {
    className: 'results',
    'aria-labelledby': 'results-h',
    'aria-live': 'polite',
  });
  const preview = h('section', { className: 'preview card', 'aria-labelledby': 'preview-h' });
  fill(
    main,
    h('h1', { tabIndex: -1 }, 'Search'),
    form.element,
    h('div', { className: 'split' }, results, preview),
  );
  form.element.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = form.read();
    const hash = `#/search?${new URLSearchParams(next)}`;
    if (location.hash === hash) runSearch(next, results, preview);
    else location.hash = hash;
  });
  const query = Object.fromEntries(params);
  if (query.q) await runSearch(query, results, preview);
  else form.focus();
}

function searchForm(overview, params) {
  const q = h('input', {
    type: 'search',
    id: 'q',
    name: 'q',
    value: params.get('q') ?? '',
    placeholder: 'Ask a question or type keywords',
    required: true,
    'data-shortcut': '/',
    'aria-keyshortcuts': '/',
  });
  const mode = select('mode', MODES, params.get('mode') ?? 'hybrid');
  const names = overview.collections.map((c) => [c.name, c.name]);
  if (!names.some(([n]) => n === overview.collection))
    names.unshift([overview.collection, overview.collection]);
  const collection = select('collection', names, params.get('collection') ?? overview.collection);
  const topK = h('input', {
    type: 'number',
    id: 'top_k',
    min: 1,
    max: 50,
    value: params.get('top_k') ?? '5',
  });
  const where = h('textarea', {
    id: 'where',
    rows: 2,
    spellcheck: false,
    placeholder: '{"source": "guide/backup.md"}',
    value: params.get('where') ?? '',
  });
  const model = h('input', {
    type: 'text',
    id: 'model',
    value: params.get('model') ?? '',
    placeholder: 'e.g. vicuna-7b-v1.5',
    spellcheck: false,
  });
  const filters = h(
    'details',
    { open: Boolean(params.get('where') || params.get('model')) },
    h('summary', {}, 'Filter and options'),
    h(
      'div',
      { className: 'grid' },
      field('where', 'Metadata filter (where, JSON)', where),
      field('model', 'Chat model, for token counts', model),
    ),
  );
  const element = h(
    'form',
    { className: 'search card', role: 'search' },
    h(
      'div',
      { className: 'query' },
      h('label', { for: 'q', className: 'sr-only' }, 'Question'),
      q,
      h('button', { type: 'submit' }, 'Search'),
    ),
    h(
      'div',
      { className: 'grid' },
      field('mode', 'Mode', mode),
      field('collection', 'Collection', collection),
      field('top_k', 'Results', topK),
    ),
    filters,
  );
  const read = () => {
    const out = { q: q.value.trim(), mode: mode.value, collection: collection.value, top_k: topK.value };
    if (where.value.trim()) out.where = where.value.trim();
    if (model.value.trim()) out.model = model.value.trim();
    return out;
  };
  return { element, read, focus: () => q.focus() };
}

function select(id, options, value) {
  return h(
    'select',
    { id, name: id },
    options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
  );
}

function field(id, label, control) {
  return h('div', { className: 'field' }, h('label', { for: id }, label), control);
}

async function runSearch(query, results, preview) {
  let where;
  try {
    where = query.where ? JSON.parse(query.where) : undefined;
  } catch {
    fill(results, notice('error', 'The filter is not valid JSON.'));
    return;
  }
  fill(results, h('h2', { id: 'results-h' }, 'Results'), h('p', { className: 'muted' }, 'Searching…'));
  fill(
    preview,
    h('h2', { id: 'preview-h' }, 'What the proxy would add'),
    h('p', { className: 'muted' }, 'Asking the proxy…'),
  );
  const body = {
    query: query.q,
    mode: query.mode,
    collection: query.collection,
    top_k: Number(query.top_k) || 5,
  };
  if (where) body.where = where;
  const previewBody = { question: query.q, ...(query.model ? { model: query.model } : {}) };
  await Promise.all([
    api('search', { method: 'POST', body })
      .then((found) => showResults(results, found))
      .catch((error) =>
        fill(results, h('h2', { id: 'results-h' }, 'Results'), notice('error', error.message)),
      ),
    api('preview', { method: 'POST', body: previewBody })
      .then((p) => showPreview(preview, p))
      .catch((error) =>
        fill(
          preview,
          h('h2', { id: 'preview-h' }, 'What the proxy would add'),
          notice('error', error.message),
        ),
      ),
  ]);
}

function showResults(section, found) {
  const gate = found.proxy.minRelevance;
  const modes = found.modes.join(' + ');
  fill(
    section,
    h('h2', { id: 'results-h' }, 'Results'),
    h(
      'p',
      { className: 'muted' },
      `${found.results.length} from "${found.collection}" · ${modes} · the proxy adds passages with relevance ≥ ${num(gate)}`,
    ),
    found.results.length === 0
      ? notice('info', 'Nothing found.')
      : h(
          'ol',
          { className: 'hits' },
          found.results.map((hit) => hitItem(hit, found.collection, gate)),
        ),
  );
}

function hitItem(hit, collection, gate) {
  const s = hit.source ?? {};
  const title =
    [s.title, s.heading && s.heading !== s.title ? s.heading : null].filter(Boolean).join(' › ') || hit.id;
  const passes = hit.relevance >= gate;
  return h(
    'li',
    { className: 'hit card' },
    h(
      'div',
      { className: 'hit-head' },
      h('h3', {}, link(recordRoute(collection, hit.id), title)),
      h(
        'span',
        {
          className: `relevance ${passes ? 'pass' : 'below'}`,
          title: passes ? 'The proxy would consider it' : 'Below the proxy’s least relevance',
        },
        h('meter', {
          min: 0,
          max: 1,
          low: gate,
          optimum: 1,
          value: hit.relevance,
          'aria-label': 'Relevance',
        }),
        ` ${num(hit.relevance)}`,
      ),
    ),
    s.path ? h('p', { className: 'cite' }, describeSource(s)) : null,
    h('p', { className: 'passage' }, marked(hit.text, hit.highlights)),
    h(
      'p',
      { className: 'scores muted' },
      `lexical (BM25F) ${hit.scores.lexical === null ? '–' : num(hit.scores.lexical)} · vector (cosine) ${hit.scores.vector === null ? '–' : num(hit.scores.vector)} · fused ${num(hit.score)}`,
    ),
  );
}
