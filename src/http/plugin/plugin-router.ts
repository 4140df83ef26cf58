/** The ChatGPT-style plugin: manifest, OpenAPI document, logo, Swagger UI and the search routes. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Router } from 'express';
import yaml from 'js-yaml';
import type { Config } from '../../config.js';
import type { SearchIndex } from '../../retrieval/search-index.js';
import { authOptionsFrom, createAuth } from '../auth.js';
import { buildAiPluginManifest } from './ai-plugin-manifest.js';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document.js';
import { registerSearchRoutes } from './search-route.js';

/** What the plugin routes are built from. */
export interface PluginDeps {
  index: SearchIndex;
  config: Config;
}

/** Largest JSON body `/search` accepts: a query, a filter and a few options. */
const SEARCH_BODY_LIMIT = '64kb';

/**
 * Creates the plugin router, to be mounted at the root before app-wide authentication and body parsing.
 *
 * @remarks
 * The manifest, the OpenAPI document (YAML and JSON), the logo and `/docs` are public, so NextChat's "load from
 * URL", LangChain and browsers can read them; `/search` checks credentials itself (the app's token or htpasswd)
 * before reading the body. The manifest and logo are built here; the OpenAPI document on its first request, and
 * Swagger UI is loaded on the first `/docs` request, so a server nobody browses does not carry them.
 */
export function createPluginRouter(deps: PluginDeps): Router {
  const { config } = deps;
  const document = once(() => buildOpenApiDocument(config));
  const documentYaml = once(() => yaml.dump(document(), { noRefs: true, lineWidth: -1 }));
  const manifest = buildAiPluginManifest(config);
  const logo = readLogo();

  const router = express.Router();
  router.get('/.well-known/ai-plugin.json', (_req, res) => {
    res.json(manifest);
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(document());
  });
  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(documentYaml());
  });
  router.get('/logo.png', (_req, res, next) => {
    if (logo === null) return next();
    res.set('Cache-Control', 'public, max-age=86400').type('png').send(logo);
  });
  router.use(
    '/docs',
    lazySwaggerUi(() => documentForBrowsers(document())),
  );
  router.use('/search', searchAuth(config), express.json({ limit: SEARCH_BODY_LIMIT }));
  registerSearchRoutes(router, deps);
  return router;
}

/**
 * The document Swagger UI shows at `/docs`: "Try it out" targets the server the page was loaded from.
 *
 * @remarks `servers[0].url` (KBGATE_PUBLIC_URL) is where NextChat's server reaches kbgate, e.g. `http://kbgate:8000`
 * on the compose network, which the browser usually cannot resolve. A relative server URL resolves against the page
 * (`/docs/`), so `..` is kbgate's root however the browser reached it, behind a path prefix too.
 */
function documentForBrowsers(document: OpenApiDocument): OpenApiDocument {
  return { ...document, servers: [{ url: '..', description: 'this kbgate, as your browser reached it' }] };
}

/** Serves Swagger UI for a document, loading swagger-ui-express and building its page on the first request. */
function lazySwaggerUi(documentOf: () => OpenApiDocument): RequestHandler {
  let handlers: Promise<RequestHandler[]> | null = null;
  const load = async (): Promise<RequestHandler[]> => {
    const { default: swaggerUi } = await import('swagger-ui-express');
    const doc = documentOf();
    const options = { customSiteTitle: 'kbgate plugin API' };
    return [...swaggerUi.serveFiles(doc, options), swaggerUi.setup(doc, options)];
  };
  return (req, res, next) => {
    handlers ??= load();
    handlers.then((list) => runChain(list, req, res, next), next);
  };
}

/** Runs middleware in order, as Express would, until one answers or fails. */
function runChain(
  list: readonly RequestHandler[],
  req: Parameters<RequestHandler>[0],
  res: Parameters<RequestHandler>[1],
  next: Parameters<RequestHandler>[2],
): void {
  const step = (i: number, err?: unknown): void => {
    if (err !== undefined || i === list.length) return next(err);
    const handler = list[i] as RequestHandler;
    void handler(req, res, (e?: unknown) => step(i + 1, e));
  };
  step(0);
}

/** A value computed on first use, then kept. */
function once<T>(compute: () => T): () => T {
  let value: { v: T } | null = null;
  return () => (value ??= { v: compute() }).v;
}

function searchAuth(config: Config): RequestHandler {
  return createAuth(authOptionsFrom(config));
}

/**
 * Reads the nearest `plugin/logo.png` above this file: the repository or package root is three levels up under tsx
 * (`src/http/plugin`) and four when compiled (`dist/src/http/plugin`). Null when there is none.
 */
function readLogo(): Buffer | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, 'plugin', 'logo.png');
    if (existsSync(candidate)) return readFileSync(candidate);
    dir = dirname(dir);
  }
  return null;
}
