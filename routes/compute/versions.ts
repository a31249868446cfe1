import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { GatewayEnv } from '../../src/core/context.ts';
import { COMPUTE_VERSIONS } from '../../src/compute/version.ts';
import { VersionEntry, jsonContent, selfLink } from '../versions-schema.ts';

// nova/api/openstack/compute/versions.py. Tempest expects v2.0 listed first and follows
// every self link, so /v2 answers too (as the legacy version, without microversions).

const MEDIA = (v: string) => [{ base: 'application/json', type: `application/vnd.openstack.compute+json;version=${v}` }];
const DESCRIBED_BY = { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' };

function entries(base: string, region: string) {
  const root = `${base}/${region}/compute`;
  return {
    'v2.0': {
      id: 'v2.0',
      status: 'SUPPORTED',
      version: '',
      min_version: '',
      updated: '2011-01-21T11:33:21Z',
      links: [selfLink(`${root}/v2/`)],
    },
    'v2.1': {
      id: 'v2.1',
      status: 'CURRENT',
      version: COMPUTE_VERSIONS.max,
      min_version: COMPUTE_VERSIONS.min,
      updated: '2013-07-23T11:33:21Z',
      links: [selfLink(`${root}/v2.1/`)],
    },
  } satisfies Record<string, VersionEntry>;
}

const listVersions = createRoute({
  method: 'get',
  path: '/',
  tags: ['compute'],
  summary: 'List Compute API versions',
  responses: { 200: jsonContent(z.object({ versions: z.array(VersionEntry) }), 'Available versions') },
});

const showVersion = (path: string, id: string) =>
  createRoute({
    method: 'get',
    path,
    tags: ['compute'],
    summary: `Show Compute API ${id}`,
    responses: { 200: jsonContent(z.object({ version: VersionEntry }), `The ${id} version document`) },
  });

function detail(c: { get(k: 'baseUrl'): string; get(k: 'region'): { name: string } }, id: 'v2.0' | 'v2.1') {
  const e = entries(c.get('baseUrl'), c.get('region').name)[id];
  return { version: { ...e, links: [...e.links, DESCRIBED_BY], 'media-types': MEDIA(id.slice(1)) } };
}

export const computeVersions = new OpenAPIHono<GatewayEnv>({ strict: false })
  .openapi(listVersions, (c) =>
    c.json({ versions: Object.values(entries(c.get('baseUrl'), c.get('region').name)) }, 200),
  )
  .openapi(showVersion('/v2.1', 'v2.1'), (c) => c.json(detail(c, 'v2.1'), 200))
  .openapi(showVersion('/v2', 'v2.0'), (c) => c.json(detail(c, 'v2.0'), 200));
