// Picking a node for a VMI the way kube-scheduler filters pods: nodeSelector, required node
// affinity (e.g. zone labels), readiness; then the least loaded node.

import type { KubeObject } from '../../kube/index.ts';
import type { Json, VirtualMachineInstance } from './model.ts';

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; podCIDR?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

function matches(labels: Record<string, string>, r: Requirement): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case 'In':
      return v !== undefined && (r.values ?? []).includes(v);
    case 'NotIn':
      return v === undefined || !(r.values ?? []).includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
      return v !== undefined && Number(v) > Number(r.values?.[0]);
    case 'Lt':
      return v !== undefined && Number(v) < Number(r.values?.[0]);
    default:
      return false;
  }
}

/** Node affinity: any of the terms must hold; within a term, all expressions. */
function affinityAllows(affinity: Json | undefined, labels: Record<string, string>): boolean {
  const required = (affinity?.nodeAffinity as Json | undefined)?.requiredDuringSchedulingIgnoredDuringExecution as
    | { nodeSelectorTerms?: { matchExpressions?: Requirement[] }[] }
    | undefined;
  const terms = required?.nodeSelectorTerms;
  if (!terms?.length) return true;
  return terms.some((t) => (t.matchExpressions ?? []).every((r) => matches(labels, r)));
}

export function nodeFits(node: Node, vmi: VirtualMachineInstance, extraSelector: Record<string, string> = {}): boolean {
  const labels = node.metadata.labels ?? {};
  if (node.spec?.unschedulable) return false;
  if (labels['kubevirt.io/schedulable'] === 'false') return false;
  if (node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False') return false;
  const selector = { ...(vmi.spec.nodeSelector ?? {}), ...extraSelector };
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
  return affinityAllows(vmi.spec.affinity, labels);
}

/** The least loaded fitting node (by VMIs placed on it), ties broken by name; undefined if none fits. */
export function pickNode(
  nodes: Node[],
  vmis: VirtualMachineInstance[],
  vmi: VirtualMachineInstance,
  opts: { exclude?: string; extraSelector?: Record<string, string> } = {},
): Node | undefined {
  const load = new Map<string, number>();
  for (const other of vmis) {
    const n = other.status?.nodeName;
    if (n && other.metadata.uid !== vmi.metadata.uid) load.set(n, (load.get(n) ?? 0) + 1);
  }
  return nodes
    .filter((n) => n.metadata.name !== opts.exclude && nodeFits(n, vmi, opts.extraSelector))
    .sort(
      (a, b) =>
        (load.get(a.metadata.name!) ?? 0) - (load.get(b.metadata.name!) ?? 0) ||
        a.metadata.name!.localeCompare(b.metadata.name!),
    )[0];
}
