/* global URLSearchParams, document, location, window */
// The console's shell: hash routes, the token prompt, keyboard shortcuts.
import { api, AuthRequired, getOverview, getToken, setToken } from './api.js';
import { fill, h, notice } from './dom.js';
import { renderBrowse, renderRecord } from './browse.js';
import { renderOverview } from './overview.js';
import { renderSearch } from './search.js';

const main = document.getElementById('main');
const signOut = document.getElementById('sign-out');

/** `#/search?q=x` -> { path: ['search'], params: URLSearchParams }. */
function currentRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = hash.split('?');
  return {
    path: path.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(query),
  };
}

const VIEWS = {
  '': renderOverview,
  search: renderSearch,
  browse: renderBrowse,
  record: renderRecord,
};

async function render() {
  const route = currentRoute();
  const name = route.path[0] ?? '';
  const view = VIEWS[name] ?? renderOverview;
  for (const a of document.querySelectorAll('[data-nav]')) {
    const active = a.dataset.nav === (name === '' ? 'overview' : name === 'record' ? 'browse' : name);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  signOut.hidden = !getToken();
  try {
    await getOverview();
    await view(main, route);
  } catch (error) {
    if (error instanceof AuthRequired) renderLogin();
    else fill(main, notice('error', error.message));
  }
}

/** Asks for the token; keeps it for this tab only. */
function renderLogin() {
  const had = Boolean(getToken());
  const input = h('input', {
    type: 'password',
    id: 'token',
    name: 'token',
    autocomplete: 'current-password',
    required: true,
    spellcheck: false,
  });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { className: 'login card' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'This kbgate needs its token (KBGATE_AUTH_TOKEN). It is kept for this browser tab only.'),
    had ? notice('error', 'kbgate refused that token.') : null,
    h('label', { for: 'token' }, 'Token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    try {
      await api('overview');
      await render();
    } catch (error) {
      setToken(null);
      if (error instanceof AuthRequired) fill(status, notice('error', 'kbgate refused that token.'));
      else fill(status, notice('error', error.message));
    }
  });
  setToken(null);
  signOut.hidden = true;
  fill(main, form);
  input.focus();
}

signOut.addEventListener('click', () => {
  setToken(null);
  location.hash = '#/';
  renderLogin();
});

window.addEventListener('hashchange', () => {
  render().then(() => main.querySelector('h1')?.focus({ preventScroll: true }));
});

// "/" focuses the page's search or filter box, as on many sites; Escape leaves a text box.
document.addEventListener('keydown', (event) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? '');
  if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    const box = main.querySelector('[data-shortcut="/"]');
    if (box) {
      event.preventDefault();
      box.focus();
      box.select?.();
    }
  } else if (event.key === 'Escape' && typing) {
    document.activeElement.blur();
  }
});

render();
