import type { Context, Hono } from 'hono';
import type { GatewayEnv } from './context.ts';
import { ApiFault } from './faults.ts';
import { renderFault } from './errors.ts';

// Unknown paths answer 404 and known paths with a wrong method 405 (with Allow), both in
// the format of the service the path belongs to.

type RoutePattern = { method: string; regex: RegExp };

function compile(path: string): RegExp {
  const parts = path
    .replace(/\/+$/, '')
    .split('/')
    .map((seg) => {
      if (seg === '*') return '.*';
      const param = /^:[A-Za-z0-9_]+(?:\{(.+)\})?$/.exec(seg);
      if (param) return param[1] ? `(?:${param[1]})` : '[^/]+';
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    });
  return new RegExp(`^${parts.join('/')}/?$`);
}

export function notFoundHandler(app: Hono<GatewayEnv>) {
  let patterns: RoutePattern[] | undefined;
  return (c: Context<GatewayEnv>) => {
    patterns ??= app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.endsWith('/*'))
      .map((r) => ({ method: r.method, regex: compile(r.path) }));
    const path = c.req.path;
    const allowed = [...new Set(patterns.filter((p) => p.regex.test(path)).map((p) => p.method))];
    // `DELETE /things/` names a thing with an empty id (404 in OpenStack), not the collection.
    const emptyId = new URL(c.req.url).pathname.endsWith('/');
    if (allowed.length > 0 && !allowed.includes(c.req.method) && !emptyId) {
      return renderFault(
        c,
        new ApiFault(405, `The method ${c.req.method} is not allowed for this resource.`, {
          headers: { Allow: allowed.join(', ') },
        }),
      );
    }
    return renderFault(c, new ApiFault(404, `The resource could not be found.`));
  };
}
