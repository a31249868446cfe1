import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { GatewayEnv } from '../../src/core/context.ts';
import { VOLUME_VERSIONS } from '../../src/volume/version.ts';
import { VersionEntry, jsonContent, selfLink } from '../versions-schema.ts';

// cinder/api/versions.py: GET / is 300 and GET /v3/ is 200, both `{versions: [...]}`.

function versions(base: string, region: string): VersionEntry[] {
  return [
    {
      id: 'v3.0',
      status: 'CURRENT',
      version: VOLUME_VERSIONS.max,
      min_version: VOLUME_VERSIONS.min,
      updated: '2023-08-31T00:00:00Z',
      links: [
        { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
        selfLink(`${base}/${region}/volume/v3/`),
      ],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
    },
  ];
}

const Body = z.object({ versions: z.array(VersionEntry) });

const listVersions = createRoute({
  method: 'get',
  path: '/',
  tags: ['volume'],
  summary: 'List Block Storage API versions',
  responses: { 300: jsonContent(Body, 'Available versions') },
});

const showV3 = createRoute({
  method: 'get',
  path: '/v3',
  tags: ['volume'],
  summary: 'Show Block Storage API v3',
  responses: { 200: jsonContent(Body, 'The v3 version document') },
});

export const volumeVersions = new OpenAPIHono<GatewayEnv>({ strict: false })
  .openapi(listVersions, (c) => c.json({ versions: versions(c.get('baseUrl'), c.get('region').name) }, 300))
  .openapi(showV3, (c) => c.json({ versions: versions(c.get('baseUrl'), c.get('region').name) }, 200));
