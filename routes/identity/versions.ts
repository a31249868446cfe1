import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { GatewayEnv } from '../../src/core/context.ts';
import { VersionEntry, jsonContent, selfLink } from '../versions-schema.ts';

// keystone/api/discovery.py: GET / is 300 with Location, GET /v3 is 200.

const entry = (base: string): VersionEntry => ({
  id: 'v3.14',
  status: 'stable',
  updated: '2020-04-07T00:00:00Z',
  links: [selfLink(`${base}/identity/v3/`)],
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
});

const listVersions = createRoute({
  method: 'get',
  path: '/',
  tags: ['identity'],
  summary: 'List Identity API versions',
  responses: {
    300: jsonContent(z.object({ versions: z.object({ values: z.array(VersionEntry) }) }), 'Available versions'),
  },
});

const showV3 = createRoute({
  method: 'get',
  path: '/v3',
  tags: ['identity'],
  summary: 'Show Identity API v3',
  responses: { 200: jsonContent(z.object({ version: VersionEntry }), 'The v3 version document') },
});

export const identityVersions = new OpenAPIHono<GatewayEnv>({ strict: false })
  .openapi(listVersions, (c) => {
    const base = c.get('baseUrl');
    c.header('Location', `${base}/identity/v3/`);
    return c.json({ versions: { values: [entry(base)] } }, 300);
  })
  .openapi(showV3, (c) => c.json({ version: entry(c.get('baseUrl')) }, 200));
