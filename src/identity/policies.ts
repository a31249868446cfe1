import { type KubeClient, type KubeObject, NotFoundError, R } from '../kube/index.ts';
import { Collection } from './collection.ts';
import { L, MANAGED, SYSTEM_NS, idOf } from './model.ts';

// Keystone's policy store (/v3/policies): opaque blobs with a type, kept for services to fetch.
// Keystone never enforces them, and neither does Dicot (its policy is Kubernetes RBAC). One
// ConfigMap per policy in dicot-system.

export interface PolicyRecord {
  id: string;
  object: string;
  type: string;
  blob: string;
  /** Attributes a client added besides type and blob (Keystone keeps and returns them). */
  extra: Record<string, unknown>;
}

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

function toPolicy(obj: ConfigMap): PolicyRecord {
  const d = obj.data ?? {};
  let extra: Record<string, unknown> = {};
  try {
    extra = JSON.parse(d.extra ?? '{}') as Record<string, unknown>;
  } catch {
    // written by hand: no extra attributes
  }
  return { id: idOf(obj), object: obj.metadata.name ?? '', type: d.type ?? '', blob: d.blob ?? '', extra };
}

const dataOf = (p: Pick<PolicyRecord, 'type' | 'blob' | 'extra'>) => ({ type: p.type, blob: p.blob, extra: JSON.stringify(p.extra) });

export class Policies {
  private readonly col: Collection<ConfigMap>;
  constructor(kube: KubeClient) {
    this.col = new Collection<ConfigMap>(kube, R.configMaps, SYSTEM_NS, `${L.managedBy}=dicot,${L.kind}=policy`);
  }

  async list(filter: { type?: string } = {}): Promise<PolicyRecord[]> {
    return (await this.col.list()).map(toPolicy).filter((p) => filter.type === undefined || p.type === filter.type);
  }

  async get(id: string): Promise<PolicyRecord | undefined> {
    const obj = await this.col.byId(id);
    return obj ? toPolicy(obj) : undefined;
  }

  async create(p: Pick<PolicyRecord, 'type' | 'blob' | 'extra'>): Promise<PolicyRecord> {
    const obj = await this.col.kube.create<ConfigMap>(R.configMaps, {
      metadata: { generateName: 'policy-', namespace: SYSTEM_NS, labels: { ...MANAGED, [L.kind]: 'policy' } },
      data: dataOf(p),
    });
    this.col.remember(obj);
    return toPolicy(obj);
  }

  async update(cur: PolicyRecord, next: Pick<PolicyRecord, 'type' | 'blob' | 'extra'>): Promise<PolicyRecord> {
    return toPolicy(await this.col.kube.patch<ConfigMap>(R.configMaps, cur.object, { data: dataOf(next) }, { namespace: SYSTEM_NS, type: 'merge' }));
  }

  async delete(p: PolicyRecord): Promise<void> {
    await this.col.kube.delete(R.configMaps, p.object, { namespace: SYSTEM_NS }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
    this.col.forget(p.id);
  }
}
