/* global Node, document */
// DOM helpers and formatting. Text always goes in as text nodes: documents are never parsed as HTML.

/**
 * Creates an element: `attrs` sets properties (`className`, `hidden`, `onclick`...) or, for names with a dash or
 * `for`/`role`, attributes; children are nodes, strings or arrays of them (null and false are skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.includes('-') || name === 'for' || name === 'role') el.setAttribute(name, String(value));
    else el[name] = value;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** `text` with the `[start, end)` spans wrapped in <mark>. */
export function marked(text, spans = []) {
  const out = [];
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    if (start > at) out.push(text.slice(at, start));
    out.push(h('mark', {}, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

const NUMBER = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** A number for people: grouped digits, two decimals at most. */
export function num(value) {
  return value === null || value === undefined ? '–' : NUMBER.format(value);
}

/** Bytes as KB, MB, GB. */
export function bytes(value) {
  if (value === null || value === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: n < 10 && unit > 0 ? 1 : 0 }).format(n)} ${units[unit]}`;
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "3 hours ago", from an ISO time. */
export function ago(iso) {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  const steps = [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
    [30, 'day'],
    [12, 'month'],
    [Infinity, 'year'],
  ];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) return RELATIVE.format(Math.round(value), unit);
    value /= size;
  }
  return iso;
}

/** A duration in seconds as "2 d 3 h", "5 min". */
export function duration(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86400)} d ${Math.floor((seconds % 86400) / 3600)} h`;
}

/** `path#anchor`, lines a–b: where a passage comes from, as one line. */
export function describeSource(source) {
  if (!source || !source.path) return '';
  const anchor = source.anchor ? `#${source.anchor}` : '';
  const lines = source.lines ? ` · lines ${source.lines[0]}–${source.lines[1]}` : '';
  return `${source.path}${anchor}${lines}`;
}

/** A message box; `kind` is `error` (announced at once) or `info`. */
export function notice(kind, ...children) {
  return h('p', { className: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** A hash link to a console route. */
export function link(route, ...children) {
  return h('a', { href: `#${route}` }, ...children);
}

/** The hash route of a record. */
export function recordRoute(collection, id) {
  return `/record/${encodeURIComponent(collection)}/${encodeURIComponent(id)}`;
}
