import { describe, expect, it } from 'vitest';
import {
  CONFIG_VARIABLES,
  ConfigError,
  DEFAULT_PROXY_MIN_RELEVANCE,
  loadConfig,
  renderConfigTable,
} from './config.js';

describe('loadConfig', () => {
  it('should apply the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      dataDir: './data',
      authToken: null,
      htpasswdFile: null,
      corsOrigins: [],
      allowReset: false,
      logLevel: 'info',
      maxBatchSize: 5461,
      publicUrl: 'http://127.0.0.1:8000',
      embedding: 'default',
      offline: false,
      collection: 'docs',
      otlpEndpoint: null,
    });
    expect(config.maxBodyBytes).toBe(5461 * 32 * 1024);
  });

  it('should read every variable it documents', () => {
    const config = loadConfig({
      KBGATE_HOST: '0.0.0.0',
      KBGATE_PORT: '9000',
      KBGATE_DATA_DIR: ':memory:',
      KBGATE_AUTH_TOKEN: 'tok',
      KBGATE_CORS_ORIGINS: 'http://a.example, https://b.example:8443',
      KBGATE_ALLOW_RESET: 'true',
      KBGATE_LOG_LEVEL: 'debug',
      KBGATE_MAX_BATCH_SIZE: '100',
      KBGATE_PUBLIC_URL: 'https://kb.example.com/',
      KBGATE_UPSTREAM_URL: 'http://fastchat:8000/',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      dataDir: null,
      authToken: 'tok',
      corsOrigins: ['http://a.example', 'https://b.example:8443'],
      allowReset: true,
      logLevel: 'debug',
      maxBatchSize: 100,
      publicUrl: 'https://kb.example.com',
      upstreamUrl: 'http://fastchat:8000',
      otlpEndpoint: 'http://collector:4318',
    });
  });

  it('should default the retrieval proxy to a relevance gate and a 4,096-token context', () => {
    expect(loadConfig({})).toMatchObject({
      proxyPassages: 5,
      proxyContextChars: 6000,
      proxyMinRelevance: DEFAULT_PROXY_MIN_RELEVANCE,
      upstreamContextTokens: 4096,
    });
    expect(
      loadConfig({ KBGATE_PROXY_MIN_RELEVANCE: '0.35', KBGATE_UPSTREAM_CONTEXT_TOKENS: '2048' }),
    ).toMatchObject({
      proxyMinRelevance: 0.35,
      upstreamContextTokens: 2048,
    });
  });

  it('should refuse the removed KBGATE_PROXY_MIN_SCORE, naming its replacement', () => {
    expect(() => loadConfig({ KBGATE_PROXY_MIN_SCORE: '0.1' })).toThrow(ConfigError);
    expect(() => loadConfig({ KBGATE_PROXY_MIN_SCORE: '0.1' })).toThrow(
      /^KBGATE_PROXY_MIN_SCORE:.*KBGATE_PROXY_MIN_RELEVANCE/,
    );
    expect(() => loadConfig({ KBGATE_PROXY_MIN_SCORE: '' })).not.toThrow();
  });

  it.each([
    ['KBGATE_PORT', 'eighty'],
    ['KBGATE_PORT', '70000'],
    ['KBGATE_ALLOW_RESET', 'maybe'],
    ['KBGATE_LOG_LEVEL', 'loud'],
    ['KBGATE_MAX_BATCH_SIZE', '0'],
    ['KBGATE_PUBLIC_URL', 'not a url'],
    ['KBGATE_CORS_ORIGINS', 'http://a.example/path'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'ftp://x'],
    ['KBGATE_PROXY_MIN_RELEVANCE', '1.5'],
    ['KBGATE_PROXY_MIN_RELEVANCE', 'high'],
    ['KBGATE_UPSTREAM_CONTEXT_TOKENS', '100'],
  ])('should reject %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
  });
});

describe('renderConfigTable', () => {
  it('should render one Markdown row per variable', () => {
    const table = renderConfigTable();
    for (const variable of CONFIG_VARIABLES) expect(table).toContain(`| \`${variable.name}\` |`);
    expect(table.split('\n')).toHaveLength(CONFIG_VARIABLES.length + 2);
  });
});
