import { describe, expect, it } from 'vitest';
import type { ChatRequest } from './chat-request.js';
import { loadConfig } from '../../config.js';
import { buildOpenApiDocument } from '../plugin/openapi-document.js';
import { offersOwnTools, pluginToolNames, removeOwnTools } from './own-tools.js';

const OWN = new Set(['searchKnowledgeBase']);
const tool = (name: string) => ({ type: 'function', function: { name, parameters: {} } });
const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'q' }] };

describe('removeOwnTools', () => {
  it('should keep a tool_choice that names a remaining tool', () => {
    const choice = { type: 'function', function: { name: 'getWeather' } };
    const out = removeOwnTools(
      { ...base, tools: [tool('searchKnowledgeBase'), tool('getWeather')], tool_choice: choice },
      OWN,
    );
    expect(out.tools).toEqual([tool('getWeather')]);
    expect(out.tool_choice).toEqual(choice);
  });

  it('should drop a tool_choice that names the removed tool', () => {
    const choice = { type: 'function', function: { name: 'searchKnowledgeBase' } };
    const out = removeOwnTools(
      { ...base, tools: [tool('searchKnowledgeBase'), tool('getWeather')], tool_choice: choice },
      OWN,
    );
    expect(out).not.toHaveProperty('tool_choice');
  });

  it('should handle legacy functions the same way', () => {
    const out = removeOwnTools(
      { ...base, functions: [{ name: 'searchKnowledgeBase' }], function_call: 'auto' },
      OWN,
    );
    expect(out).not.toHaveProperty('functions');
    expect(out).not.toHaveProperty('function_call');
  });

  it('should leave a request without tools as it was', () => {
    expect(removeOwnTools(base, OWN)).toEqual(base);
  });
});

describe('offersOwnTools', () => {
  it('should tell whether removeOwnTools has anything to remove', () => {
    expect(offersOwnTools({ ...base, tools: [tool('getWeather'), tool('searchKnowledgeBase')] }, OWN)).toBe(
      true,
    );
    expect(offersOwnTools({ ...base, functions: [{ name: 'searchKnowledgeBase' }] }, OWN)).toBe(true);
    expect(offersOwnTools({ ...base, tools: [tool('getWeather')] }, OWN)).toBe(false);
    expect(offersOwnTools(base, OWN)).toBe(false);
  });
});

describe('pluginToolNames', () => {
  it("should name the plugin's search operations", () => {
    const document = buildOpenApiDocument(loadConfig({ KBGATE_DATA_DIR: ':memory:' }));
    expect(pluginToolNames(document)).toEqual(new Set(['searchKnowledgeBase']));
  });
});
