/** Removes kbgate's own plugin tools from a chat request, since the proxy injects their results itself. */
import type { OpenApiDocument } from '../plugin/openapi-document.js';
import type { ChatRequest } from './chat-request.js';

/**
 * Removes tools named in `ownNames` from `tools` and legacy `functions`; keeps the rest as sent.
 *
 * @remarks
 * When no tools remain, `tools` and `tool_choice` are dropped (an empty list or a choice naming a missing tool is an
 * error for OpenAI-style servers); a `tool_choice` that names a removed tool is dropped too.
 */
export function removeOwnTools(request: ChatRequest, ownNames: ReadonlySet<string>): ChatRequest {
  const out: ChatRequest = { ...request };
  if (request.tools !== undefined) {
    const kept = request.tools.filter((tool) => !ownNames.has(toolName(tool) ?? ''));
    if (kept.length === 0 || namesRemoved(request.tool_choice, ownNames)) delete out.tool_choice;
    if (kept.length === 0) delete out.tools;
    else out.tools = kept;
  }
  if (request.functions !== undefined) {
    const kept = request.functions.filter((fn) => !ownNames.has(functionName(fn) ?? ''));
    if (kept.length === 0 || namesRemoved(request.function_call, ownNames)) delete out.function_call;
    if (kept.length === 0) delete out.functions;
    else out.functions = kept;
  }
  return out;
}

/** Whether the request offers any tool or function named in `ownNames`, i.e. {@link removeOwnTools} changes it. */
export function offersOwnTools(request: ChatRequest, ownNames: ReadonlySet<string>): boolean {
  return (
    (request.tools ?? []).some((tool) => ownNames.has(toolName(tool) ?? '')) ||
    (request.functions ?? []).some((fn) => ownNames.has(functionName(fn) ?? ''))
  );
}

function toolName(tool: unknown): string | null {
  const fn = (tool as { function?: unknown } | null)?.function;
  return functionName(fn);
}

function functionName(fn: unknown): string | null {
  const name = (fn as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : null;
}

function namesRemoved(choice: unknown, ownNames: ReadonlySet<string>): boolean {
  const name = toolName(choice) ?? functionName(choice);
  return name !== null && ownNames.has(name);
}

/** The operationIds of kbgate's plugin document: NextChat names each plugin tool after one. */
export function pluginToolNames(document: OpenApiDocument): Set<string> {
  const names = new Set<string>();
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values((operations ?? {}) as Record<string, unknown>)) {
      const id = (operation as { operationId?: unknown } | null)?.operationId;
      if (typeof id === 'string') names.add(id);
    }
  }
  return names;
}
