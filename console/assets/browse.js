/* global URLSearchParams, location */
// Collection browser: pages of records with a text filter, and one record with its source and its file's chunks.
import { api, getOverview } from './api.js';
import { describeSource, fill, h, link, notice, num, recordRoute } from './dom.js';

const PAGE = 20;

export async function renderBrowse(main, route) {
  const overview = await getOverview();
  const names = overview.collections.map((c) => c.name);
  const name = route.path[1] ?? (names.includes(overview.collection) ? overview.collection : names[0]);
  if (!name) {
    fill(
      main,
      h('h1', { tabIndex: -1 }, 'Collections'),
      notice('info', 'No collections yet. Ingest a folder of Markdown: kbgate ingest ./docs'),
    );
    return;
  }
  const offset = Math.max(0, Number(route.params.get('offset')) || 0);
  const contains = route.params.get('contains') ?? '';
  const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
  if (contains) query.set('contains', contains);
  const page = await api(`collections/${encodeURIComponent(name)}/records?${query}`);
  fill(
    main,
    h('h1', { tabIndex: -1 }, 'Collections'),
    toolbar(names, name, contains),
    summary(page),
    page.records.length === 0
      ? notice('info', contains ? 'No record contains that text.' : 'This collection is empty.')
      : records(page),
    pager(page, contains),
  );
}

function toolbar(names, name, contains) {
  const collection = h(
    'select',
    { id: 'collection', name: 'collection' },
    names.map((n) => h('option', { value: n, selected: n === name }, n)),
  );
  const filter = h('input', {
    type: 'search',
    id: 'contains',
    value: contains,
    placeholder: 'Text the document contains',
    'data-shortcut': '/',
    'aria-keyshortcuts': '/',
  });
  const form = h(
    'form',
    { className: 'toolbar card' },
    h('div', { className: 'field' }, h('label', { for: 'collection' }, 'Collection'), collection),
    h('div', { className: 'field grow' }, h('label', { for: 'contains' }, 'Filter'), filter),
    h('button', { type: 'submit' }, 'Show'),
  );
  const go = () => {
    const params = filter.value ? `?${new URLSearchParams({ contains: filter.value })}` : '';
    location.hash = `#/browse/${encodeURIComponent(collection.value)}${params}`;
  };
  collection.addEventListener('change', go);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go();
  });
  return form;
}

function summary(page) {
  const first = page.records.length === 0 ? 0 : page.offset + 1;
  const last = page.offset + page.records.length;
  const of = page.total === null ? '' : ` of ${num(page.total)}`;
  return h('p', { className: 'muted', role: 'status' }, `Records ${num(first)}–${num(last)}${of}`);
}

function records(page) {
  return h(
    'ol',
    { className: 'records', start: page.offset + 1 },
    page.records.map((r) =>
      h(
        'li',
        { className: 'record-row' },
        h('div', { className: 'record-id' }, link(recordRoute(page.collection, r.id), r.id)),
        r.source.path ? h('div', { className: 'cite' }, describeSource(r.source)) : null,
        h(
          'p',
          { className: 'preview-text' },
          r.preview || h('span', { className: 'muted' }, '(no document)'),
        ),
      ),
    ),
  );
}

function pager(page, contains) {
  const at = (offset) => {
    const params = new URLSearchParams({ offset: String(Math.max(0, offset)) });
    if (contains) params.set('contains', contains);
    return `/browse/${encodeURIComponent(page.collection)}?${params}`;
  };
  return h(
    'nav',
    { className: 'pager', 'aria-label': 'Pages' },
    page.offset > 0 ? link(at(page.offset - page.limit), '← Previous') : null,
    page.more ? link(at(page.offset + page.limit), 'Next →') : null,
  );
}

export async function renderRecord(main, route) {
  const [, collection, id] = route.path;
  const record = await api(
    `collections/${encodeURIComponent(collection)}/record?${new URLSearchParams({ id })}`,
  );
  const s = record.source;
  fill(
    main,
    h(
      'p',
      { className: 'crumbs' },
      link(`/browse/${encodeURIComponent(record.collection)}`, `← ${record.collection}`),
    ),
    h('h1', { tabIndex: -1, className: 'record-title' }, s.title ?? record.id),
    h(
      'dl',
      { className: 'facts source' },
      fact('Id', h('code', {}, record.id)),
      s.path ? fact('File', h('code', {}, s.path)) : null,
      s.heading ? fact('Heading', s.heading) : null,
      s.anchor ? fact('Anchor', h('code', {}, `#${s.anchor}`)) : null,
      s.lines ? fact('Lines', `${s.lines[0]}–${s.lines[1]}`) : null,
      fact(
        'Embedding',
        record.embedding
          ? `${record.embedding.dimension} dimensions: ${record.embedding.head.join(', ')}, …`
          : 'none',
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'doc-h' },
      h('h2', { id: 'doc-h' }, 'Document'),
      h('pre', { className: 'document card' }, record.document ?? '(no document)'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'meta-h' },
      h('h2', { id: 'meta-h' }, 'Metadata'),
      metadata(record.metadata),
    ),
    record.siblings.length > 0 ? siblings(record) : null,
  );
}

function metadata(values) {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return notice('info', 'No metadata.');
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { className: 'metadata' },
      h(
        'tbody',
        {},
        entries.map(([key, value]) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, key),
            h('td', {}, Array.isArray(value) ? value.join(' › ') : String(value)),
          ),
        ),
      ),
    ),
  );
}

function siblings(record) {
  return h(
    'section',
    { 'aria-labelledby': 'siblings-h' },
    h('h2', { id: 'siblings-h' }, `Chunks of ${record.source.path}`),
    h(
      'ol',
      { className: 'siblings' },
      record.siblings.map((sib) =>
        h(
          'li',
          {},
          sib.id === record.id
            ? h('strong', { 'aria-current': 'true' }, sib.heading ?? sib.id)
            : link(recordRoute(record.collection, sib.id), sib.heading ?? sib.id),
          sib.lines ? h('span', { className: 'muted' }, ` · lines ${sib.lines[0]}–${sib.lines[1]}`) : null,
        ),
      ),
    ),
  );
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}
