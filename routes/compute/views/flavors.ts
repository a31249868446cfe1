import type { ApiVersion } from '../../../src/core/microversion.ts';
import type { Flavor } from '../../../src/compute/flavors.ts';
import { type LinkBuilder, layerFor, pick } from '../common.ts';
import { FLAVOR_BRIEF_LAYERS, FLAVOR_LAYERS } from '../schemas/flavors.ts';

// Flavor views: every field a flavor can show, then the keys of the requested version's
// layer (nova/api/openstack/compute/views/flavors.py).

function fields(f: Flavor, version: ApiVersion, links: LinkBuilder): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    links: links.links(`flavors/${encodeURIComponent(f.id)}`),
    ram: f.ram,
    vcpus: f.vcpus,
    disk: f.disk,
    // Below 2.75 a swap of 0 shows as "".
    swap: f.swap === 0 && !version.atLeast('2.75') ? '' : f.swap,
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral,
    'OS-FLV-DISABLED:disabled': f.disabled,
    'os-flavor-access:is_public': f.isPublic,
    rxtx_factor: f.rxtxFactor,
    description: f.description,
    extra_specs: f.extraSpecs,
  };
}

export const flavorBrief = (f: Flavor, version: ApiVersion, links: LinkBuilder) =>
  pick(layerFor(version, FLAVOR_BRIEF_LAYERS), fields(f, version, links));

export const flavorDetail = (f: Flavor, version: ApiVersion, links: LinkBuilder) =>
  pick(layerFor(version, FLAVOR_LAYERS), fields(f, version, links));
