import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AuthContext } from '../../src/core/auth.ts';
import type { GatewayEnv } from '../../src/core/context.ts';
import { unauthorized } from '../../src/core/faults.ts';
import { type Identity, identityOf } from '../../src/identity/service.ts';

// Small helpers shared by the identity routes.

export const router = () => new OpenAPIHono<GatewayEnv>({ strict: false });

export const v3Of = (c: Context<GatewayEnv>) => `${c.get('baseUrl')}/identity/v3`;
export const idn = (c: Context<GatewayEnv>): Identity => identityOf(c.get('gateway'));

export function authOf(c: Context<GatewayEnv>): AuthContext {
  const auth = c.get('auth');
  if (!auth) throw unauthorized();
  return auth;
}

/** Keystone's query flags: `?effective`, `?effective=true`, `?include_names=1` all mean true. */
export const flag = (value: string | undefined) => value !== undefined && !['false', '0', 'no'].includes(value.toLowerCase());

/** `?enabled=` filter: undefined when absent. */
export const boolFilter = (value: string | undefined) => (value === undefined ? undefined : flag(value));

export function listBody<T>(c: Context<GatewayEnv>, key: string, items: T[]) {
  return { [key]: items, links: { self: c.req.url.replace(/^https?:\/\/[^/]+/, c.get('baseUrl')), previous: null, next: null } };
}
