import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { GatewayEnv } from '../../src/core/context.ts';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import { type VolumeContext, volumeContext } from '../../src/volume/service.ts';
import type { Viewer } from '../../src/volume/views.ts';
import { type Ctx, authOf, jsonBody, queryOf, router } from '../compute/common.ts';
import { AnyObject, json } from '../compute/schemas/common.ts';

// Helpers shared by the Cinder routes (mounted at /:region/volume/v3).

export { jsonBody, queryOf, router };
export type { Ctx };

export const tagsOf = (what: string) => [`volume: ${what}`];
export const Project = z.object({ project_id: z.string().min(1) });
export const ProjectId = Project.extend({ id: z.string() });
export const ProjectIdKey = ProjectId.extend({ key: z.string() });
export const Body = z.record(z.string(), z.unknown());
export const body = { body: { content: { 'application/json': { schema: Body } }, required: false } };
export const ok = (what: string) => ({ 200: json(AnyObject, what) });
export const accepted202 = (what: string) => ({ 202: json(AnyObject.optional(), what) });
/** An empty answer (`c.body(null, code)`). */
export const empty202 = (what: string) => ({ 202: { description: what } });
export const empty200 = (what: string) => ({ 200: { description: what } });
export const empty204 = (what: string) => ({ 204: { description: what } });

type Responses = Parameters<typeof createRoute>[0]['responses'];

/**
 * One route: `createRoute` with the Cinder tag, the path params and an optional, loose JSON
 * body (handlers check bodies themselves, to answer in Cinder's words).
 */
export function route<const Rs extends Responses, P extends z.ZodObject = typeof Project>(
  method: 'get' | 'post' | 'put' | 'delete',
  path: string,
  what: string,
  summary: string,
  responses: Rs,
  params?: P,
) {
  // GET and DELETE carry no body: clients (Tempest) still send `content-type: application/json`.
  const request = method === 'post' || method === 'put' ? { params: (params ?? Project) as P, ...body } : { params: (params ?? Project) as P };
  return createRoute({ method, path, tags: tagsOf(what), summary, request, responses });
}

/**
 * Cinder refuses a URL whose project is not the token's ("Malformed request url", 400):
 * the project in the path is the scope, never a way into another project.
 */
export const projectGuard: MiddlewareHandler<GatewayEnv> = async (c, next) => {
  const p = c.req.param('project_id');
  const auth = authOf(c);
  if (p !== undefined && p !== auth.projectId) throw badRequest('Malformed request url');
  await next();
};

export function viewerOf(c: Ctx): Viewer {
  const auth = authOf(c);
  return { version: c.get('version'), isAdmin: auth.isAdmin, projectId: auth.projectId, root: `${c.get('baseUrl')}/${c.get('region').name}/volume` };
}

export const ctxOf = (c: Ctx): VolumeContext => volumeContext(c);

/** Cinder's admin-only policy message. */
export function requireAdmin(c: Ctx, rule: string): void {
  if (!authOf(c).isAdmin) throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
}

/** A JSON body that must be an object holding `key` (Cinder's 400 otherwise). */
export async function entity(c: Ctx, key: string): Promise<Record<string, unknown>> {
  const raw = await jsonBody(c);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('Malformed request body');
  const inner = (raw as Record<string, unknown>)[key];
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw badRequest(`Missing required element '${key}' in request body.`);
  return inner as Record<string, unknown>;
}

/** Optional string field (null allowed), at most 255 characters. */
export function optString(o: Record<string, unknown>, key: string, max = 255): string | null | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string') throw badRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'string', 'null'`);
  if (v.length > max) throw badRequest(`Invalid input for field/attribute ${key}. Value: ${v}. is too long`);
  return v;
}

/** Cinder metadata: string keys 1..255, string values ≤255. */
export function metadataOf(v: unknown, what = 'metadata'): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest(`Invalid input for field/attribute ${what}. Value: ${JSON.stringify(v)}. is not of type 'object'`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.length < 1 || k.length > 255) throw badRequest(`Invalid input for field/attribute ${what}. Metadata key length must be between 1 and 255.`);
    if (typeof val !== 'string') throw badRequest(`Invalid input for field/attribute ${what}. Value: ${JSON.stringify(val)}. is not of type 'string'`);
    if (val.length > 255) throw badRequest(`Invalid input for field/attribute ${what}. Metadata value is longer than 255 characters.`);
    out[k] = val;
  }
  return out;
}

/** Cinder's boolean parsing (`strutils.bool_from_string(strict=True)`). */
export function boolOf(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['1', 't', 'true', 'on', 'y', 'yes'].includes(s)) return true;
    if (['0', 'f', 'false', 'off', 'n', 'no'].includes(s)) return false;
  }
  throw badRequest(`Invalid input for field/attribute ${what}. Value: ${JSON.stringify(v)}. is not a valid boolean`);
}

/** A trailing slash where an id belongs (`GET /volumes/`): Cinder answers 404. */
export function rejectEmptyId(c: Ctx, what: string): void {
  if (new URL(c.req.url).pathname.endsWith('/')) throw notFound(`${what} could not be found.`);
}
