/* global fetch, sessionStorage */
// Calls to kbgate's console API with the token this tab was given (sessionStorage: gone when the tab closes).

const TOKEN_KEY = 'kbgate.token';

/** Thrown when kbgate answers 401: the page then asks for the token. */
export class AuthRequired extends Error {
  constructor() {
    super('kbgate needs a token');
    this.name = 'AuthRequired';
  }
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Calls `console/api/<path>` (relative to the page, so kbgate may sit behind a path prefix) and resolves to the
 * parsed JSON; rejects with {@link AuthRequired} on 401 and with kbgate's error message otherwise.
 */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`console/api/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (response.status === 401) throw new AuthRequired();
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(data?.message ?? `kbgate answered HTTP ${response.status}`);
  return data;
}

/** The overview, fetched once per page load and refreshed on demand. */
let overview = null;

export async function getOverview(refresh = false) {
  if (refresh || overview === null) overview = await api('overview');
  return overview;
}
