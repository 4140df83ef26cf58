/** Routes of Chroma's distributed and cloud deployments that a single node does not offer: answered with 501. */
import type { Router } from 'express';
import { HttpError } from '../error-handler.js';
import { label } from './route-context.js';

const COLLECTION = '/api/v2/tenants/:tenant/databases/:database/collections/:collection_id';

const ROUTES: { method: 'get' | 'post' | 'patch'; path: string; operation: string }[] = [
  { method: 'get', path: '/api/v2/collections/:crn', operation: 'get_collection_by_crn' },
  { method: 'post', path: `${COLLECTION}/fork`, operation: 'fork_collection' },
  { method: 'get', path: `${COLLECTION}/fork_count`, operation: 'fork_count' },
  { method: 'post', path: `${COLLECTION}/search`, operation: 'collection_search' },
  { method: 'get', path: `${COLLECTION}/indexing_status`, operation: 'indexing_status' },
  { method: 'post', path: `${COLLECTION}/functions/attach`, operation: 'attach_function' },
  { method: 'get', path: `${COLLECTION}/functions/:function_name`, operation: 'get_attached_function' },
  { method: 'post', path: `${COLLECTION}/attached_functions/:name/detach`, operation: 'detach_function' },
];

/** Registers the 501 answers for Chroma routes kbgate does not implement. */
export function registerUnsupportedRoutes(router: Router): void {
  for (const route of ROUTES) {
    router[route.method](route.path, (_req, res) => {
      label(res, route.operation);
      throw new HttpError(
        'NOT_IMPLEMENTED',
        `${route.operation} is not supported by a single-node kbgate server`,
      );
    });
  }
}
