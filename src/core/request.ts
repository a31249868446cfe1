import type { MiddlewareHandler } from 'hono';
import { type GatewayEnv, serviceOfPath } from './context.ts';

// Request id, service, base URL, and the one structured log line per request.

const COMPUTE_ID_HEADER = 'x-compute-request-id';

export function requestContext(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const started = performance.now();
    const gateway = c.get('gateway');
    const requestId = `req-${crypto.randomUUID()}`;
    const service = serviceOfPath(c.req.path);
    c.set('requestId', requestId);
    c.set('service', service);
    c.set('baseUrl', (gateway.config.publicUrl ?? new URL(c.req.url).origin).replace(/\/$/, ''));
    c.header('x-openstack-request-id', requestId);
    if (service === 'compute') c.header(COMPUTE_ID_HEADER, requestId);
    try {
      await next();
    } finally {
      const durationMs = performance.now() - started;
      gateway.platform.metrics?.request({ service: service ?? 'gateway', route: c.req.routePath, method: c.req.method, status: c.res.status }, durationMs / 1000);
      // Never log headers or bodies: they carry tokens and passwords.
      gateway.platform.log({
        level: c.res.status >= 500 ? 'error' : 'info',
        msg: 'request',
        method: c.req.method,
        path: c.req.path,
        route: c.req.routePath,
        status: c.res.status,
        durationMs: Math.round(durationMs * 10) / 10,
        requestId,
        service,
        user: c.get('userId'),
        project: c.get('projectId'),
      });
    }
  };
}
