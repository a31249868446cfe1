import { notFound } from '../core/faults.ts';
import { type KubeClient, type KubeObject, NotFoundError, R } from '../kube/index.ts';
import { CA, CL, MANAGED, annotationsOf, jsonOf, slug } from './model.ts';
import * as v from 'valibot';
import type { VirtualMachine } from './model.ts';

// Server groups have no Kubernetes object of their own: a ConfigMap in the project's namespace
// records one (name, policy, rules); members are the VMs labelled with the group id, whose
// template carries pod (anti)affinity on that label (see servers.ts groupAffinity).

export const POLICIES = ['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'] as const;
export type Policy = (typeof POLICIES)[number];

export interface ServerGroup {
  id: string;
  name: string;
  policy: Policy;
  rules: Record<string, number>;
  projectId: string;
  userId: string;
  namespace: string;
  object: string;
  members: string[];
}

const Rules = jsonOf(v.record(v.string(), v.number()), {} as Record<string, number>);
const selector = `${CL.serverGroupObject}=true`;

export function toServerGroup(cm: KubeObject, members: string[]): ServerGroup {
  const a = annotationsOf(cm);
  const policy = (POLICIES as readonly string[]).includes(a[CA.policy] ?? '') ? (a[CA.policy] as Policy) : 'anti-affinity';
  return {
    id: cm.metadata.uid ?? '',
    name: a[CA.name] ?? cm.metadata.name ?? '',
    policy,
    rules: Rules(a[CA.rules]),
    projectId: a[CA.projectId] ?? '',
    userId: a[CA.userId] ?? '',
    namespace: cm.metadata.namespace ?? '',
    object: cm.metadata.name ?? '',
    members,
  };
}

export class ServerGroups {
  constructor(private readonly kube: KubeClient) {}

  private async membersByGroup(namespace: string | undefined): Promise<Map<string, string[]>> {
    const vms = await this.kube.listAll<VirtualMachine>(R.virtualMachines, { ...(namespace ? { namespace } : {}), labelSelector: CL.serverGroup });
    const out = new Map<string, string[]>();
    for (const vm of vms.items) {
      const g = vm.metadata.labels?.[CL.serverGroup];
      if (!g || vm.metadata.deletionTimestamp) continue;
      out.set(g, [...(out.get(g) ?? []), vm.metadata.uid ?? '']);
    }
    return out;
  }

  /** Groups of one namespace, or of every namespace (admins, all_projects). */
  async list(namespace: string | undefined): Promise<ServerGroup[]> {
    const [cms, members] = await Promise.all([
      this.kube.listAll<KubeObject>(R.configMaps, { ...(namespace ? { namespace } : {}), labelSelector: selector }),
      this.membersByGroup(namespace),
    ]);
    return cms.items.filter((c) => !c.metadata.deletionTimestamp).map((c) => toServerGroup(c, members.get(c.metadata.uid ?? '') ?? []));
  }

  async get(namespace: string | undefined, id: string): Promise<ServerGroup | undefined> {
    return (await this.list(namespace)).find((g) => g.id === id);
  }

  async require(namespace: string | undefined, id: string): Promise<ServerGroup> {
    const g = await this.get(namespace, id);
    if (!g) throw notFound(`Server group ${id} could not be found.`);
    return g;
  }

  async create(g: { namespace: string; name: string; policy: Policy; rules: Record<string, number>; projectId: string; userId: string }): Promise<ServerGroup> {
    const cm = await this.kube.create<KubeObject>(R.configMaps, {
      metadata: {
        generateName: `servergroup-${slug(g.name, 30)}-`,
        namespace: g.namespace,
        labels: { ...MANAGED, [CL.serverGroupObject]: 'true' },
        annotations: {
          [CA.name]: g.name,
          [CA.policy]: g.policy,
          [CA.rules]: JSON.stringify(g.rules),
          [CA.projectId]: g.projectId,
          [CA.userId]: g.userId,
        },
      },
    });
    return toServerGroup(cm, []);
  }

  async delete(g: ServerGroup): Promise<void> {
    try {
      await this.kube.delete(R.configMaps, g.object, { namespace: g.namespace });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
}
