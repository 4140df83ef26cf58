/** An app with the plugin routes over an engine holding the fixture passages, for plugin tests. */
import type { Express } from 'express';
import { loadConfig, type Config } from '../../src/config.js';
import type { Engine } from '../../src/engine/database.js';
import { createApp } from '../../src/http/app.js';
import { openConceptEngine } from './concept-embedding.js';
import { loadPassages } from './fixture-corpus.js';

/** The default collection of plugin test apps. */
export const PLUGIN_COLLECTION = 'handbook';

/** A plugin app under test. */
export interface PluginApp {
  app: Express;
  engine: Engine;
  config: Config;
}

/** Creates an app whose default collection holds the fixture passages; `env` overrides configuration. */
export async function createPluginApp(env: Record<string, string> = {}): Promise<PluginApp> {
  const config = loadConfig({
    KBGATE_DATA_DIR: ':memory:',
    KBGATE_EMBEDDING: 'none',
    KBGATE_COLLECTION: PLUGIN_COLLECTION,
    KBGATE_PUBLIC_URL: 'http://kbgate.test:8000/',
    ...env,
  });
  const engine = openConceptEngine();
  await loadPassages(engine, PLUGIN_COLLECTION);
  return { app: createApp({ engine, config }), engine, config };
}
