import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildOpenApiDocument } from '../../src/http/plugin/openapi-document.js';
import { readRepoFile } from './compose-file.js';

const GUIDE = readRepoFile('nextchat/README.md');

/** The tool names NextChat builds from the plugin document: one per operation, named by operationId. */
function toolNames(): string[] {
  const document = buildOpenApiDocument(loadConfig({ KBGATE_AUTH_TOKEN: 'secret' }));
  return Object.values(document.paths).flatMap((item) =>
    Object.values(item as Record<string, { operationId?: string }>).flatMap((op) => op.operationId ?? []),
  );
}

describe('nextchat/README.md', () => {
  it('should name the tools NextChat builds from the plugin document, and no other', () => {
    const tools = toolNames();
    expect(tools.length).toBeGreaterThan(0);
    for (const tool of tools) expect(GUIDE).toContain(`\`${tool}\``);
    expect(GUIDE).not.toMatch(/a `search` tool|calls `search`/);
  });

  it('should say that the retrieval proxy removes kbgate’s own tools and how to reach a tool-capable model beside it', () => {
    expect(GUIDE).toMatch(/removes kbgate's own tools/);
    expect(GUIDE).toMatch(/Both side by side/);
  });

  it('should explain the Bearer setting the plugin needs when kbgate requires a token', () => {
    expect(GUIDE).toMatch(
      /\*\*Authorization Type\*\* `Bearer`, \*\*Location\*\* `Header`, \*\*Token\*\* the value of\s+`KBGATE_READ_TOKEN`/,
    );
  });

  it('should warn that localhost and 127.0.0.1 are different CORS origins', () => {
    expect(GUIDE).toMatch(/`localhost` and `127\.0\.0\.1` are different origins/);
    expect(GUIDE).toContain('KBGATE_CORS_ORIGINS=http://localhost:3000,http://127.0.0.1:3000');
  });
});
