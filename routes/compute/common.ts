import { OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AuthContext } from '../../src/core/auth.ts';
import type { GatewayEnv } from '../../src/core/context.ts';
import { badRequest, forbidden, unauthorized } from '../../src/core/faults.ts';
import type { ApiVersion } from '../../src/core/microversion.ts';
import { identityOf } from '../../src/identity/service.ts';

// Small helpers shared by the Nova routes.

export type Ctx = Context<GatewayEnv>;
export const router = () => new OpenAPIHono<GatewayEnv>({ strict: false });

export function authOf(c: Ctx): AuthContext {
  const auth = c.get('auth');
  if (!auth) throw unauthorized();
  return auth;
}

export const versionOf = (c: Ctx): ApiVersion => c.get('version');

/** Nova's default policy message for admin-only APIs. */
export function requireAdmin(auth: AuthContext, rule: string): void {
  if (!auth.isAdmin) throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
}

/** `{base}/{region}/compute` — Nova's bookmark root (links without the version). */
export const computeRoot = (c: Ctx) => `${c.get('baseUrl')}/${c.get('region').name}/compute`;

export interface LinkBuilder {
  /** `[{rel: self, href: .../v2.1/<path>}, {rel: bookmark, href: .../<path>}]` */
  links(path: string): { rel: string; href: string }[];
  bookmark(path: string): { rel: string; href: string }[];
  url(path: string): string;
}

export function linksOf(c: Ctx): LinkBuilder {
  const root = computeRoot(c);
  return {
    links: (path) => [
      { rel: 'self', href: `${root}/v2.1/${path}` },
      { rel: 'bookmark', href: `${root}/${path}` },
    ],
    bookmark: (path) => [{ rel: 'bookmark', href: `${root}/${path}` }],
    url: (path) => `${root}/v2.1/${path}`,
  };
}

/** The URL of the next page (the request URL with `marker`), on the public base URL. */
export function nextHref(c: Ctx, marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const url = new URL(c.req.url);
  url.searchParams.set('marker', marker);
  return `${c.get('baseUrl')}${url.pathname}${url.search}`;
}

/** Namespace of a project in this region (projects are namespaces, same name in every region). */
export async function namespaceOf(c: Ctx, projectId: string): Promise<string | undefined> {
  const p = await identityOf(c.get('gateway')).projects.get(projectId);
  return p?.namespace;
}

/** The caller's project namespace; a token without a project cannot use compute. */
export async function callerNamespace(c: Ctx): Promise<string> {
  const auth = authOf(c);
  if (!auth.projectId) throw forbidden('A project-scoped token is required for the compute API.');
  const ns = await namespaceOf(c, auth.projectId);
  if (!ns) throw forbidden(`Project ${auth.projectId} is not available.`);
  return ns;
}

/** Keeps the keys the version's schema defines (explicit `.extend()` layers decide). */
export function pick<S extends z.ZodObject>(schema: S, full: Record<string, unknown>): z.infer<S> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(schema.shape)) if (full[k] !== undefined) out[k] = full[k];
  return out as z.infer<S>;
}

/** The last layer whose version the request reaches: `[['2.1', A], ['2.55', B]]`. */
export function layerFor<L extends readonly (readonly [string, unknown])[]>(version: ApiVersion, layers: L): L[number][1] {
  let chosen = layers[0]?.[1] as L[number][1];
  for (const [v, layer] of layers) if (version.atLeast(v)) chosen = layer;
  return chosen;
}

/** Query parameters as a URLSearchParams (repeated keys kept). */
export const queryOf = (c: Ctx) => new URL(c.req.url).searchParams;

/** Nova's bool-from-string (strict): 400 on nonsense. */
export function strictBool(value: string, what: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(v)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(v)) return false;
  throw badRequest(`Invalid ${what} filter [${value}]`);
}

/** Parses a JSON body (Nova answers 400 for a malformed or missing one). */
export async function jsonBody(c: Ctx): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) throw badRequest('The request body is missing.');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Malformed request body');
  }
}

/** Validates a body with a zod schema, answering Nova's 400 wording on failure. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
  throw badRequest(`Invalid input for field/attribute ${where}${issue?.message ?? 'invalid request'}`);
}

/**
 * From 2.75 Nova's query schemas forbid additional properties: an unknown query parameter is
 * a 400 (below 2.75 it is ignored; a few APIs were strict earlier: `since`). `schema` is the
 * route's query schema: its keys are the parameters the API knows.
 */
export function checkQuery(c: Ctx, schema: z.ZodObject, since = '2.75'): void {
  if (!versionOf(c).atLeast(since)) return;
  const known = schema.shape;
  for (const key of new Set(queryOf(c).keys())) {
    if (!Object.hasOwn(known, key)) throw badRequest(`Invalid input for query parameters ${key}. Additional properties are not allowed ('${key}' was unexpected)`);
  }
}
