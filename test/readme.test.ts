import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('README', () => {
  it('should document every configuration variable kbgate reads, and no other', () => {
    const documented = new Set(
      [...README.matchAll(/^\| `((?:KBGATE|OTEL)_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]),
    );
    expect([...documented].sort()).toEqual(CONFIG_VARIABLES.map((v) => v.name).sort());
  });

  it('should give the set-up commands that start kbgate and run the tests', () => {
    expect(README).toContain('npm ci && npm start');
    expect(README).toContain('npm ci && npm test');
    expect(PACKAGE.scripts['start']).toBeDefined();
    expect(PACKAGE.scripts['test']).toBeDefined();
  });

  it('should only mention npm scripts that exist', () => {
    const mentioned = [...README.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1] as string);
    for (const script of mentioned) expect(PACKAGE.scripts, script).toHaveProperty([script]);
  });
});
