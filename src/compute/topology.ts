import type { VmiSpec } from './model.ts';

// Server NUMA topology (2.78, nova server_topology.py). Nova describes the guest NUMA cells it
// pinned; an instance without a NUMA topology answers no nodes and no page size. KubeVirt has
// guest NUMA only with `domain.cpu.numa` (guestMappingPassthrough, dedicated CPUs): the cells
// then mirror the host's, known to virt-handler but not in the API, so they cannot be shown.

export interface ServerTopology {
  nodes: never[];
  pagesize_kb: null;
}

/** The topology of a VM (its running VMI's spec when there is one), or undefined when it has guest NUMA cells the API cannot show. */
export function topologyOf(spec: VmiSpec | undefined): ServerTopology | undefined {
  const cpu = spec?.domain?.cpu as { numa?: unknown } | undefined;
  if (cpu?.numa) return undefined;
  return { nodes: [], pagesize_kb: null };
}
