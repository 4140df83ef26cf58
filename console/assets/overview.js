// Overview: collections, last ingests, checks (as `kbgate doctor`), retrieval settings, memory and storage.
import { api, getOverview } from './api.js';
import { ago, bytes, duration, fill, h, link, notice, num } from './dom.js';

export async function renderOverview(main) {
  const overview = await getOverview(true);
  const checks = h('ul', { className: 'checks', 'aria-busy': 'true' }, h('li', {}, 'Checking…'));
  fill(
    main,
    h('h1', { tabIndex: -1 }, 'Overview'),
    h('p', { className: 'lede' }, `kbgate ${overview.version} · up ${duration(overview.uptimeSeconds)}`),
    h(
      'section',
      { 'aria-labelledby': 'collections-h' },
      h('h2', { id: 'collections-h' }, 'Collections'),
      collections(overview),
    ),
    h(
      'div',
      { className: 'columns' },
      h(
        'section',
        { 'aria-labelledby': 'checks-h', className: 'card' },
        h('h2', { id: 'checks-h' }, 'Status'),
        checks,
      ),
      h(
        'section',
        { 'aria-labelledby': 'proxy-h', className: 'card' },
        h('h2', { id: 'proxy-h' }, 'Retrieval proxy'),
        proxy(overview),
      ),
      h(
        'section',
        { 'aria-labelledby': 'memory-h', className: 'card' },
        h('h2', { id: 'memory-h' }, 'Memory and storage'),
        memory(overview),
      ),
    ),
  );
  api('checks')
    .then(({ checks: results }) => fill(checks, results.map(check)))
    .catch((error) => fill(checks, h('li', {}, notice('error', error.message))))
    .finally(() => checks.setAttribute('aria-busy', 'false'));
}

function collections(overview) {
  if (overview.collections.length === 0)
    return notice('info', 'No collections yet. Ingest a folder of Markdown: kbgate ingest ./docs');
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { className: 'collections' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Name', 'Records', 'Embedding', 'Dimension', 'Last ingest', 'Vector index'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        overview.collections.map((c) => collectionRow(c, overview.collection)),
      ),
    ),
  );
}

function collectionRow(c, searched) {
  return h(
    'tr',
    {},
    h(
      'th',
      { scope: 'row' },
      link(`/browse/${encodeURIComponent(c.name)}`, c.name),
      c.name === searched
        ? h(
            'span',
            { className: 'tag', title: 'KBGATE_COLLECTION: plugin search and the retrieval proxy use it' },
            'searched',
          )
        : null,
    ),
    h('td', { className: 'n' }, num(c.records)),
    h(
      'td',
      {},
      c.embedding ?? 'none (lexical only)',
      c.space && c.dimension ? h('span', { className: 'muted' }, ` · ${c.space}`) : null,
    ),
    h('td', { className: 'n' }, c.dimension ?? '–'),
    h('td', {}, lastIngest(c.lastIngest)),
    h('td', { className: 'n' }, c.indexBytes ? `≈ ${bytes(c.indexBytes)}` : '–'),
  );
}

function lastIngest(run) {
  if (!run) return h('span', { className: 'muted' }, 'not recorded');
  const time = h('time', { dateTime: run.at, title: new Date(run.at).toLocaleString() }, ago(run.at));
  const changed = `${num(run.files)} files (${num(run.added)} added, ${num(run.updated)} updated), ${num(run.chunks)} chunks`;
  return [
    time,
    h('br'),
    h('span', { className: 'muted' }, changed),
    run.failed > 0
      ? h('span', { className: 'bad' }, ` · ${num(run.failed)} failed`)
      : h('span', { className: 'muted' }, ' · no failures'),
  ];
}

const MARK = { ok: '✓', warn: '!', fail: '✕' };
const LABEL = { ok: 'OK', warn: 'Warning', fail: 'Problem' };

function check(result) {
  return h(
    'li',
    { className: `check ${result.status}` },
    h('span', { className: 'mark', 'aria-hidden': 'true' }, MARK[result.status]),
    h('span', { className: 'sr-only' }, `${LABEL[result.status]}: `),
    h(
      'div',
      {},
      h('strong', {}, result.title),
      h('div', {}, result.detail),
      result.fix && result.status !== 'ok'
        ? h('div', { className: 'fix' }, 'Fix: ', h('code', {}, result.fix))
        : null,
    ),
  );
}

function proxy(overview) {
  const p = overview.proxy;
  return h(
    'dl',
    { className: 'facts' },
    fact('Upstream', p.upstream ?? 'not set (KBGATE_UPSTREAM_URL)'),
    fact('Collection', overview.collection),
    fact('Passages per request', p.passages === 0 ? 'retrieval off' : num(p.passages)),
    fact('Least relevance', num(p.minRelevance)),
    fact('Passage text', `${num(p.contextChars)} characters at most`),
    fact('Context when not reported', `${num(p.contextTokens)} tokens`),
    fact('Embedding of new collections', overview.embedding),
    fact('Authentication', overview.auth ? 'required' : 'off'),
  );
}

function memory(overview) {
  const m = overview.memory;
  const vectors = overview.collections.reduce((sum, c) => sum + c.indexBytes, 0);
  return h(
    'dl',
    { className: 'facts' },
    fact('Process (resident)', bytes(m.rss)),
    fact('JavaScript heap', `${bytes(m.heapUsed)} of ${bytes(m.heapTotal)}`),
    fact('Native buffers', bytes(m.external)),
    fact('Vector indexes (estimate, once loaded)', `≈ ${bytes(vectors)}`),
    overview.storage
      ? fact('Database on disk', bytes(overview.storage.database))
      : fact('Data', 'in memory only (KBGATE_DATA_DIR=:memory:)'),
    overview.storage ? fact('Index files', bytes(overview.storage.indexes)) : null,
    overview.storage ? fact('Data directory', h('code', {}, overview.storage.dataDir)) : null,
  );
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}
