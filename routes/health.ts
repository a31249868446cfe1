import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { GatewayEnv } from '../src/core/context.ts';
import { notFound } from '../src/core/faults.ts';
import { checkRegion } from '../src/core/readiness.ts';
import { jsonContent } from './versions-schema.ts';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'Process liveness',
  responses: { 200: jsonContent(z.object({ status: z.literal('ok') }), 'The process is alive') },
});

const RegionState = z.object({ region: z.string(), ready: z.boolean(), error: z.string().optional() });
const Readiness = z.object({ status: z.enum(['ready', 'unavailable']), regions: z.array(RegionState) });

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['operations'],
  summary: "Every region's Kubernetes API reachable with the gateway's credentials",
  request: { query: z.object({ region: z.string().optional().openapi({ description: 'Check only this region' }) }) },
  responses: {
    200: jsonContent(Readiness, 'All checked regions are ready'),
    503: jsonContent(Readiness, 'At least one region is not ready; it is named'),
  },
});

const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics of this process (Node, Bun, Deno; not on Workers)',
  responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } } },
});

export const healthRoutes = new OpenAPIHono<GatewayEnv>({ strict: false })
  .openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(metrics, (c) => {
    const m = c.get('gateway').platform.metrics;
    if (!m) throw notFound('This runtime keeps no process metrics.');
    return c.text(m.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  })
  .openapi(readyz, async (c) => {
    const only = c.req.valid('query').region;
    const all = [...c.get('gateway').regions.values()];
    const regions = only ? all.filter((r) => r.name === only) : all;
    if (only && regions.length === 0) throw notFound(`Region ${only} not found.`);
    const results = await Promise.all(regions.map((r) => checkRegion(r)));
    const ok = results.every((r) => r.ready);
    return ok
      ? c.json({ status: 'ready' as const, regions: results }, 200)
      : c.json({ status: 'unavailable' as const, regions: results }, 503);
  });
