import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { GatewayEnv } from '../../src/core/context.ts';
import { ApiFault, badRequest } from '../../src/core/faults.ts';

// Helpers shared by the Glance routes.

/** Validation failures become Glance's 400. */
const defaultHook = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => {
  if (!result.success) {
    const issue = result.error?.issues[0];
    const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    throw badRequest(`Invalid input: ${where}${issue?.message ?? 'invalid request'}`);
  }
};

export const router = () => new OpenAPIHono<GatewayEnv>({ strict: false, defaultHook });
export const tags = ['image'];

/** The request body as JSON (Glance: 400 for a body that does not parse). */
export async function jsonBody(c: Context<GatewayEnv>): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Malformed JSON in request body.');
  }
}

/** Glance answers 415 for a body in a media type the call does not take. */
export function requireType(c: Context<GatewayEnv>, ...types: string[]): void {
  const got = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!types.includes(got)) throw new ApiFault(415, `Unsupported Content-Type${got ? `: ${got}` : ''}`);
}
