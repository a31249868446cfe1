import type { MiddlewareHandler } from 'hono';
import type { GatewayEnv } from './context.ts';
import { notFound } from './faults.ts';

/** Resolves `/:region/...` to a configured region; an unknown one is a 404 of that service. */
export function regionScope(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const name = decodeURIComponent(c.req.path.split('/')[1] ?? '');
    const region = c.get('gateway').regions.get(name);
    if (!region) throw notFound(`Region ${name} not found.`);
    c.set('region', region);
    await next();
  };
}
