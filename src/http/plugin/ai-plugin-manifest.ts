/** The ChatGPT plugin manifest served at `/.well-known/ai-plugin.json`. */
import type { Config } from '../../config.js';

/** How a plugin client authenticates, in the manifest's terms. */
export type ManifestAuth = { type: 'none' } | { type: 'user_http'; authorization_type: 'bearer' | 'basic' };

/** The manifest's fields (schema_version v1). */
export interface AiPluginManifest {
  schema_version: 'v1';
  name_for_human: string;
  name_for_model: string;
  description_for_human: string;
  description_for_model: string;
  auth: ManifestAuth;
  api: { type: 'openapi'; url: string };
  logo_url: string;
  contact_email: string;
  legal_info_url: string;
}

const DESCRIPTION_FOR_MODEL = [
  "Search the user's private knowledge base (their own documents, notes and manuals).",
  'Use searchKnowledgeBase whenever a question may be answered by those documents, before answering from memory.',
  'Send the question or its keywords as query, in the language of the documents if known; top_k 5 is usually enough.',
  'Answer from the returned passages and cite each one you use by source.path and source.heading.',
  'If no passage is relevant, say that the knowledge base has no answer.',
].join(' ');

/**
 * Builds the manifest from the configuration: absolute URLs from `KBGATE_PUBLIC_URL`, and `user_http` auth when
 * `/search` requires credentials (bearer for a token, basic for an htpasswd file only).
 */
export function buildAiPluginManifest(config: Config): AiPluginManifest {
  const base = config.publicUrl.replace(/\/+$/, '');
  return {
    schema_version: 'v1',
    name_for_human: 'Knowledge Base',
    name_for_model: 'kbgate',
    description_for_human: 'Search your private knowledge base and get answers with sources.',
    description_for_model: DESCRIPTION_FOR_MODEL,
    auth: manifestAuth(config),
    api: { type: 'openapi', url: `${base}/openapi.yaml` },
    logo_url: `${base}/logo.png`,
    contact_email: config.contactEmail,
    legal_info_url: config.legalInfoUrl ?? `${base}/docs`,
  };
}

function manifestAuth(config: Config): ManifestAuth {
  if (config.authToken !== null || config.readTokens.length > 0)
    return { type: 'user_http', authorization_type: 'bearer' };
  if (config.htpasswdFile !== null) return { type: 'user_http', authorization_type: 'basic' };
  return { type: 'none' };
}
