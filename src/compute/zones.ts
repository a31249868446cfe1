import { badRequest } from '../core/faults.ts';
import { type KubeClient, R } from '../kube/index.ts';
import type { KubeNode } from './model.ts';

// Availability zones are node labels (topology.kubernetes.io/zone). Nodes are read with the
// gateway's own client (every Nova user may list zones; Kubernetes RBAC gives nodes to few)
// and cached briefly per region: they change rarely and every server view needs them.

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** The zone of nodes without a zone label (Nova's default zone name). */
export const DEFAULT_ZONE = 'nova';
const TTL_MS = 5_000;

const cache = new WeakMap<KubeClient, { at: number; nodes: Promise<KubeNode[]> }>();

export function listNodes(kube: KubeClient, now = Date.now()): Promise<KubeNode[]> {
  const hit = cache.get(kube);
  if (hit && now - hit.at < TTL_MS) return hit.nodes;
  const nodes = kube.listAll<KubeNode>(R.nodes).then((l) => l.items);
  cache.set(kube, { at: now, nodes });
  nodes.catch(() => cache.delete(kube));
  return nodes;
}

/** Drops the cached nodes: the next read sees a change this gateway just made (aggregates). */
export function forgetNodes(kube: KubeClient): void {
  cache.delete(kube);
}

export const zoneOfNode = (n: KubeNode) => n.metadata.labels?.[ZONE_LABEL] ?? DEFAULT_ZONE;

/** node name → zone. */
export async function nodeZones(kube: KubeClient): Promise<Map<string, string>> {
  return new Map((await listNodes(kube)).map((n) => [n.metadata.name ?? '', zoneOfNode(n)]));
}

export const nodeReady = (n: KubeNode) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
/**
 * A node's uptime in the form of `uptime(1)`, Nova's hypervisor uptime: Kubernetes keeps no boot
 * time, so it counts from when the node last became Ready (the kubelet's start, at the latest
 * its host's boot). Without users or load averages, which nodes do not report. Null when down.
 */
export function nodeUptime(n: KubeNode, now: number): string | null {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  const since = Date.parse(ready?.lastTransitionTime ?? '');
  if (ready?.status !== 'True' || Number.isNaN(since)) return null;
  const minutes = Math.max(0, Math.floor((now - since) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hhmm = `${Math.floor((minutes % 1440) / 60)}:${String(minutes % 60).padStart(2, '0')}`;
  const clock = new Date(now).toISOString().slice(11, 19);
  return ` ${clock} up ${days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : ''}${hhmm}`;
}

export const nodeSchedulable = (n: KubeNode) => !n.spec?.unschedulable && n.metadata.labels?.['kubevirt.io/schedulable'] !== 'false';

/**
 * The zone a server asks for, checked against the nodes' zones: the zone to select, or null
 * for Nova's default zone when no node carries it ("anywhere"). An unknown zone is Nova's 400.
 */
export function requestedZone(nodes: KubeNode[], zone: string): string | null {
  if (zone === DEFAULT_ZONE && !nodes.some((n) => zoneOfNode(n) === DEFAULT_ZONE)) return null;
  if (!nodes.some((n) => zoneOfNode(n) === zone)) throw badRequest('The requested availability zone is not available');
  return zone;
}
