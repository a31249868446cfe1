// The service catalog, generated from the region set: the same data backs the token
// catalog and the read-only regions/services/endpoints APIs. Ids are stable digests of
// names, so every replica (and every restart) gives the same ids.

import { sha256Hex } from '../core/names.ts';

export const INTERFACES = ['public', 'internal', 'admin'] as const;

export interface ServiceDef {
  type: string;
  name: string;
  description: string;
  /** Endpoint URL for a region; `projectId` only when the token is project-scoped. */
  url(base: string, region: string, projectId: string | undefined): string;
  /**
   * Listed only once the service exists: clients call every service of the catalog (OSC's
   * `quota show` and `limits show` ask block storage and networking too), so advertising a
   * service that answers 404 breaks commands that would otherwise work.
   */
  available: boolean;
}

export const SERVICES: ServiceDef[] = [
  { type: 'identity', name: 'keystone', description: 'Identity (Keystone v3)', url: (b) => `${b}/identity`, available: true },
  { type: 'compute', name: 'nova', description: 'Compute (Nova v2.1)', url: (b, r) => `${b}/${r}/compute/v2.1`, available: true },
  { type: 'image', name: 'glance', description: 'Image (Glance v2)', url: (b, r) => `${b}/${r}/image`, available: true },
  { type: 'network', name: 'neutron', description: 'Network (Neutron v2.0)', url: (b, r) => `${b}/${r}/network`, available: true },
  {
    type: 'block-storage',
    name: 'cinder',
    description: 'Block Storage (Cinder v3)',
    url: (b, r, p) => (p ? `${b}/${r}/volume/v3/${p}` : `${b}/${r}/volume/v3`),
    available: true,
  },
  {
    type: 'volumev3',
    name: 'cinderv3',
    description: 'Block Storage (Cinder v3)',
    url: (b, r, p) => (p ? `${b}/${r}/volume/v3/${p}` : `${b}/${r}/volume/v3`),
    available: true,
  },
];

export interface EndpointView {
  id: string;
  interface: string;
  region: string;
  region_id: string;
  url: string;
  service_id: string;
  enabled: boolean;
}

export interface CatalogService {
  id: string;
  type: string;
  name: string;
  description: string;
  endpoints: EndpointView[];
}

/** 32 hex digits from a name, like Keystone's uuid4().hex ids. */
export async function stableId(...parts: string[]): Promise<string> {
  return sha256Hex(parts.join('\u0000'), 16);
}

/** The full catalog for this region set; `base` is the public base URL without a trailing slash. */
export async function buildCatalog(base: string, regions: string[], projectId?: string): Promise<CatalogService[]> {
  const out: CatalogService[] = [];
  for (const svc of SERVICES.filter((s) => s.available)) {
    const serviceId = await stableId('service', svc.type);
    const endpoints: EndpointView[] = [];
    for (const region of regions) {
      for (const iface of INTERFACES) {
        endpoints.push({
          // The id must not depend on the project (one endpoint, one id).
          id: await stableId('endpoint', svc.type, region, iface),
          interface: iface,
          region,
          region_id: region,
          url: svc.url(base, region, projectId),
          service_id: serviceId,
          enabled: true,
        });
      }
    }
    out.push({ id: serviceId, type: svc.type, name: svc.name, description: svc.description, endpoints });
  }
  return out;
}

/** Catalog as a token body carries it (endpoints without service_id/enabled). */
export function tokenCatalog(catalog: CatalogService[]) {
  return catalog.map((s) => ({
    id: s.id,
    type: s.type,
    name: s.name,
    endpoints: s.endpoints.map(({ id, interface: i, region, region_id, url }) => ({ id, interface: i, region, region_id, url })),
  }));
}

/** Endpoint URLs as the endpoints API lists them: Keystone keeps `$(project_id)s` templates. */
export async function endpointList(base: string, regions: string[]): Promise<EndpointView[]> {
  const catalog = await buildCatalog(base, regions, '$(project_id)s');
  return catalog.flatMap((s) => s.endpoints);
}
