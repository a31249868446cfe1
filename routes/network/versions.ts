import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { GatewayEnv } from '../../src/core/context.ts';
import { Link, VersionEntry, jsonContent, selfLink } from '../versions-schema.ts';

// neutron/api/versions.py: GET / is 200 with one version; GET /v2.0/ lists the core
// resources (Tempest requires network, subnet and port there).

const CORE_RESOURCES = [
  ['network', 'networks'],
  ['subnet', 'subnets'],
  ['port', 'ports'],
  ['subnetpool', 'subnetpools'],
] as const;

const listVersions = createRoute({
  method: 'get',
  path: '/',
  tags: ['network'],
  summary: 'List Networking API versions',
  responses: { 200: jsonContent(z.object({ versions: z.array(VersionEntry) }), 'Available versions') },
});

const Resource = z.object({ name: z.string(), collection: z.string(), links: z.array(Link) });

const showV2 = createRoute({
  method: 'get',
  path: '/v2.0',
  tags: ['network'],
  summary: 'Show Networking API v2.0 resources',
  responses: { 200: jsonContent(z.object({ resources: z.array(Resource) }), 'Core resources of v2.0') },
});

export const networkVersions = new OpenAPIHono<GatewayEnv>({ strict: false })
  .openapi(listVersions, (c) => {
    const root = `${c.get('baseUrl')}/${c.get('region').name}/network`;
    return c.json({ versions: [{ id: 'v2.0', status: 'CURRENT', links: [selfLink(`${root}/v2.0/`)] }] }, 200);
  })
  .openapi(showV2, (c) => {
    const root = `${c.get('baseUrl')}/${c.get('region').name}/network/v2.0`;
    return c.json(
      {
        resources: CORE_RESOURCES.map(([name, collection]) => ({
          name,
          collection,
          links: [selfLink(`${root}/${collection}`)],
        })),
      },
      200,
    );
  });
