import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { GatewayEnv } from '../../src/core/context.ts';
import { VersionEntry, jsonContent, selfLink } from '../versions-schema.ts';

// glance/api/versions.py: every v2 minor points at /v2/; GET / is 300 (Tempest checks it),
// GET /versions is 200 with the same body.

const MINORS = ['2.9', '2.8', '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0'];

function versions(base: string, region: string): VersionEntry[] {
  return MINORS.map((v, i) => ({
    id: `v${v}`,
    status: i === 0 ? 'CURRENT' : 'SUPPORTED',
    links: [selfLink(`${base}/${region}/image/v2/`)],
  }));
}

const Body = z.object({ versions: z.array(VersionEntry) });

const listRoot = createRoute({
  method: 'get',
  path: '/',
  tags: ['image'],
  summary: 'List Image API versions (multiple choices)',
  responses: { 300: jsonContent(Body, 'Available versions') },
});

const listVersions = createRoute({
  method: 'get',
  path: '/versions',
  tags: ['image'],
  summary: 'List Image API versions',
  responses: { 200: jsonContent(Body, 'Available versions') },
});

export const imageVersions = new OpenAPIHono<GatewayEnv>({ strict: false })
  .openapi(listRoot, (c) => c.json({ versions: versions(c.get('baseUrl'), c.get('region').name) }, 300))
  .openapi(listVersions, (c) => c.json({ versions: versions(c.get('baseUrl'), c.get('region').name) }, 200));
