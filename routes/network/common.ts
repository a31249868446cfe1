import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { GatewayEnv } from '../../src/core/context.ts';
import { badRequest } from '../../src/core/faults.ts';

// Helpers shared by the Neutron routes: one router type, one JSON response shape for the
// OpenAPI document (Neutron bodies are validated by the service modules, not by zod), and
// the request body as Neutron reads it.

const defaultHook = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => {
  if (!result.success) {
    const issue = result.error?.issues[0];
    throw badRequest(`Invalid input for ${issue?.path.map(String).join('.') ?? 'request'}. Reason: ${issue?.message ?? 'invalid'}.`);
  }
};

export const router = () => new OpenAPIHono<GatewayEnv>({ strict: false, defaultHook });
export const tags = ['network'];

const Json = z.record(z.string(), z.unknown()).openapi('NeutronBody');
const jsonContent = (description: string) => ({ content: { 'application/json': { schema: Json } }, description });

type Method = 'get' | 'post' | 'put' | 'delete';

/** A route of the OpenAPI document; `status` is the success code Neutron answers. */
export function route(method: Method, path: string, summary: string, status: 200 | 201 | 204) {
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  return createRoute({
    method,
    path,
    tags,
    summary,
    ...(params.length ? { request: { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } } : {}),
    responses: status === 204 ? { 204: { description: 'No content' } } : { [status]: jsonContent(summary) },
  });
}

/** The JSON request body (Neutron: 400 for a body that does not parse). */
export async function jsonBody(c: Context<GatewayEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Malformed request body');
  }
}

/** The path parameter (declared in the route). */
export const param = (c: Context<GatewayEnv>, name: string) => c.req.param(name) ?? '';
