/**
 * Turns a plugin's OpenAPI text into chat tools exactly as NextChat 2.16 does (`FunctionToolService.add` in
 * app/store/plugin.ts): js-yaml + openapi-client-axios 7.5.5, one tool per operation named by `operationId`,
 * parameters = the request body schema plus each query/path parameter as `{ type, description }`. (NextChat
 * imports the default export under its bundler; under NodeNext the same class is the named export.)
 */
import yaml from 'js-yaml';
import { OpenAPIClientAxios } from 'openapi-client-axios';

/** A plugin as NextChat stores it. */
export interface NextChatPlugin {
  content: string;
  authType?: 'none' | 'bearer' | 'basic' | 'custom';
  authLocation?: 'header' | 'query' | 'body';
  authHeader?: string;
  authToken?: string;
}

/** An OpenAI function tool. */
export interface FunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** The tools and the functions that call them. */
export interface NextChatTools {
  tools: FunctionTool[];
  funcs: Record<string, (args: Record<string, unknown>) => Promise<{ status: number; data: unknown }>>;
}

/**
 * Builds the tools; `viaProxy` is NextChat's web build (`baseURL = /api/proxy`, `X-Base-URL: servers[0].url`),
 * otherwise the app build calls `servers[0].url` directly.
 */
export function buildNextChatTools(plugin: NextChatPlugin, viaProxy: string | null): NextChatTools {
  const headerName = plugin.authType === 'custom' ? (plugin.authHeader ?? '') : 'Authorization';
  const tokenValue =
    plugin.authType === 'basic'
      ? `Basic ${plugin.authToken}`
      : plugin.authType === 'bearer'
        ? `Bearer ${plugin.authToken}`
        : plugin.authToken;
  const authLocation = plugin.authLocation ?? 'header';
  const definition = yaml.load(plugin.content) as { servers?: { url?: string }[] };
  const serverURL = definition?.servers?.[0]?.url;
  const baseURL = viaProxy ?? serverURL;
  const headers: Record<string, string | undefined> = { 'X-Base-URL': viaProxy ? serverURL : undefined };
  if (authLocation === 'header') headers[headerName] = tokenValue;
  const api = new OpenAPIClientAxios({
    definition: yaml.load(plugin.content) as never,
    axiosConfigDefaults: { baseURL, headers },
  });
  try {
    api.initSync();
  } catch {
    // NextChat ignores initialisation errors too.
  }
  const operations = api.getOperations();
  const tools = operations.map((o) => toTool(o as unknown as OperationLike));
  const funcs: NextChatTools['funcs'] = {};
  for (const o of operations as unknown as OperationLike[]) {
    funcs[o.operationId] = (args) => {
      const parameters: Record<string, unknown> = {};
      for (const p of o.parameters ?? []) {
        parameters[p.name] = args[p.name];
        delete args[p.name];
      }
      if (authLocation === 'query') parameters[headerName] = tokenValue;
      else if (authLocation === 'body') args[headerName] = tokenValue;
      const method = (api.client as unknown as Record<string, (...a: unknown[]) => Promise<never>>)[
        o.operationId
      ];
      return method!(parameters, args, api.axiosConfigDefaults);
    };
  }
  return { tools, funcs };
}

interface OperationLike {
  operationId: string;
  description?: string;
  summary?: string;
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema: { type: string };
  }[];
  requestBody?: { content: Record<string, { schema?: Record<string, unknown> }> };
}

function toTool(o: OperationLike): FunctionTool {
  const parameters = (o.requestBody?.content['application/json']?.schema ?? {
    type: 'object',
    properties: {},
  }) as Record<string, unknown> & { properties: Record<string, unknown>; required: string[] };
  if (!parameters.required) parameters.required = [];
  for (const p of o.parameters ?? []) {
    if (p.in === 'query' || p.in === 'path') {
      parameters.properties[p.name] = { type: p.schema.type, description: p.description };
      if (p.required) parameters.required.push(p.name);
    }
  }
  return {
    type: 'function',
    function: { name: o.operationId, description: o.description || o.summary, parameters },
  };
}
