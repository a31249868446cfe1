import { UUID } from '../core/names.ts';
import { ApiFault } from '../core/faults.ts';
import { ConflictError, ForbiddenError, type KubeClient, type KubeObject, NotFoundError, R, type ResourceType } from '../kube/index.ts';

// Neutron resources as Kubernetes objects, generically: each kind names its Kubernetes type
// and where its Neutron attributes live (the spec of a Dicot CRD, or one JSON annotation on
// a native object whose own spec the kind derives). The OpenStack id is the object's uid;
// the owning project is a label; a list is one LIST per kind by label.

export const NL = {
  managedBy: 'app.kubernetes.io/managed-by',
  kind: 'openstack.dicot.io/neutron-kind',
  projectId: 'openstack.dicot.io/project-id',
  networkId: 'openstack.dicot.io/network-id',
  subnetId: 'openstack.dicot.io/subnet-id',
  portId: 'openstack.dicot.io/port-id',
  deviceId: 'openstack.dicot.io/device-id',
  /** Pod label a security group's NetworkPolicy selects (value: the policy's name). */
  sgPrefix: 'sg.openstack.dicot.io/',
} as const;
export const NA = {
  attrs: 'openstack.dicot.io/neutron',
} as const;
export const MANAGED = { [NL.managedBy]: 'dicot' } as const;

export type KindName = 'network' | 'subnet' | 'port' | 'router' | 'security_group' | 'floatingip' | 'ipallocation' | 'subnetpool';

export interface Kind {
  name: KindName;
  type: ResourceType;
  /** Attributes in `spec` (Dicot CRDs) or in the NA.attrs annotation (native kinds). */
  inSpec: boolean;
}

export const KINDS: Record<KindName, Kind> = {
  network: { name: 'network', type: R.networkAttachmentDefinitions, inSpec: false },
  subnet: { name: 'subnet', type: R.subnets, inSpec: true },
  port: { name: 'port', type: R.ports, inSpec: true },
  router: { name: 'router', type: R.routers, inSpec: true },
  security_group: { name: 'security_group', type: R.networkPolicies, inSpec: false },
  floatingip: { name: 'floatingip', type: R.services, inSpec: false },
  ipallocation: { name: 'ipallocation', type: R.ipAllocations, inSpec: true },
  subnetpool: { name: 'subnetpool', type: R.subnetPools, inSpec: true },
};

export type Attrs = Record<string, unknown>;

/** One stored Neutron resource: its attributes plus what Kubernetes says about the object. */
export interface Rec<A extends Attrs = Attrs> {
  id: string;
  projectId: string;
  namespace: string;
  object: string;
  createdAt: string;
  attrs: A;
  obj: KubeObject;
}

const isoSeconds = (t: string | undefined) => (t ?? new Date(0).toISOString()).replace(/\.\d+Z$/, 'Z');

export function toRec<A extends Attrs>(kind: Kind, obj: KubeObject): Rec<A> {
  let attrs: Attrs = {};
  if (kind.inSpec) attrs = ((obj as KubeObject & { spec?: Attrs }).spec ?? {}) as Attrs;
  else {
    try {
      const parsed = JSON.parse(obj.metadata.annotations?.[NA.attrs] ?? '{}') as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) attrs = parsed as Attrs;
    } catch {
      attrs = {};
    }
  }
  return {
    id: obj.metadata.uid ?? '',
    projectId: obj.metadata.labels?.[NL.projectId] ?? '',
    namespace: obj.metadata.namespace ?? '',
    object: obj.metadata.name ?? '',
    createdAt: isoSeconds(obj.metadata.creationTimestamp),
    attrs: attrs as A,
    obj,
  };
}

/** Common Neutron fields of every resource (standard attributes). */
export function standardFields(r: Rec) {
  return {
    id: r.id,
    tenant_id: r.projectId,
    project_id: r.projectId,
    created_at: r.createdAt,
    updated_at: (r.attrs.updated_at as string | undefined) ?? r.createdAt,
    revision_number: (r.attrs.revision_number as number | undefined) ?? 0,
    tags: (r.attrs.tags as string[] | undefined) ?? [],
    description: (r.attrs.description as string | undefined) ?? '',
  };
}

export interface NewObject {
  namespace: string;
  /** Object name (deterministic names make concurrent creates collide on purpose). */
  name?: string;
  generateName?: string;
  projectId: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: KubeObject['metadata']['ownerReferences'];
  /** The native spec derived from the attributes (NAD config, NetworkPolicy, Service). */
  body?: Record<string, unknown>;
}

const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The object body for a kind with these attributes. */
export function objectFor(kind: Kind, attrs: Attrs, o: NewObject, base?: KubeObject): KubeObject {
  const labels = { ...base?.metadata.labels, ...MANAGED, [NL.kind]: kind.name, [NL.projectId]: o.projectId, ...o.labels };
  const annotations = { ...base?.metadata.annotations, ...o.annotations };
  if (!kind.inSpec) annotations[NA.attrs] = JSON.stringify(attrs);
  const metadata: KubeObject['metadata'] = {
    ...(base?.metadata ?? {}),
    namespace: o.namespace,
    labels,
    annotations,
  };
  if (!base) {
    if (o.name) metadata.name = o.name;
    else metadata.generateName = o.generateName ?? `${kind.name.replace('_', '')}-`;
    if (o.ownerReferences) metadata.ownerReferences = o.ownerReferences;
  }
  const out: KubeObject & Record<string, unknown> = {
    apiVersion: kind.type.group ? `${kind.type.group}/${kind.type.version}` : kind.type.version,
    kind: kind.type.kind,
    metadata,
    ...(base ? stripMeta(base) : {}),
    ...o.body,
  };
  if (kind.inSpec) out.spec = attrs;
  return out;
}

function stripMeta(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = o as KubeObject & Record<string, unknown>;
  return rest;
}

export class Store {
  constructor(
    /** The gateway's own client (reads across namespaces, shared objects). */
    readonly gw: KubeClient,
  ) {}

  async list<A extends Attrs>(kind: Kind, extraSelector?: string, namespace?: string): Promise<Rec<A>[]> {
    const sel = `${NL.managedBy}=dicot,${NL.kind}=${kind.name}${extraSelector ? `,${extraSelector}` : ''}`;
    const list = await this.gw.listAll(kind.type, { labelSelector: sel, ...(namespace ? { namespace } : {}) });
    return list.items.filter((o) => !o.metadata.deletionTimestamp).map((o) => toRec<A>(kind, o));
  }

  async find<A extends Attrs>(kind: Kind, id: string): Promise<Rec<A> | undefined> {
    if (!UUID.test(id)) return undefined;
    return (await this.list<A>(kind)).find((r) => r.id === id.toLowerCase());
  }

  async create<A extends Attrs>(kind: Kind, client: KubeClient, attrs: A, o: NewObject): Promise<Rec<A>> {
    const stamped = { ...attrs, revision_number: 0, updated_at: nowIso() };
    for (let attempt = 0; ; attempt++) {
      try {
        return toRec<A>(kind, await client.create(kind.type, objectFor(kind, stamped, o), { namespace: o.namespace }));
      } catch (err) {
        if (!(err instanceof ForbiddenError)) throw err;
        // The project's `neutron` ResourceQuota, enforced by Kubernetes' quota admission.
        if (err.message.includes('exceeded quota')) throw new ApiFault(409, `Quota exceeded for resources: ['${kind.name}'].`, { type: 'OverQuota' });
        // A quota just written is refused on until the quota controller has counted it (~1 s).
        if (!err.message.includes('status unknown for quota') || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /**
   * Rewrites a resource from its current attributes (optimistic: retried on a concurrent
   * change). `change` returns the new attributes and the native body, or throws a fault.
   */
  async update<A extends Attrs>(
    kind: Kind,
    client: KubeClient,
    rec: Rec<A>,
    change: (cur: Rec<A>) => { attrs: A; body?: Record<string, unknown>; labels?: Record<string, string> } | Promise<{ attrs: A; body?: Record<string, unknown>; labels?: Record<string, string> }>,
  ): Promise<Rec<A>> {
    let cur = rec;
    for (let attempt = 0; ; attempt++) {
      const next = await change(cur);
      const attrs = { ...next.attrs, revision_number: ((cur.attrs.revision_number as number | undefined) ?? 0) + 1, updated_at: nowIso() };
      const obj = objectFor(kind, attrs, { namespace: cur.namespace, projectId: cur.projectId, ...(next.labels ? { labels: next.labels } : {}), ...(next.body ? { body: next.body } : {}) }, cur.obj);
      try {
        return toRec<A>(kind, await client.replace(kind.type, obj, { namespace: cur.namespace }));
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 8) throw err;
        const fresh = await this.gw.get(kind.type, cur.object, { namespace: cur.namespace });
        cur = toRec<A>(kind, fresh);
      }
    }
  }

  /** Deletes the object; true when it was there. */
  async remove(kind: Kind, client: KubeClient, rec: Rec): Promise<boolean> {
    try {
      await client.delete(kind.type, rec.object, { namespace: rec.namespace, propagationPolicy: 'Background', preconditions: { uid: rec.id } });
      return true;
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ConflictError) return false;
      throw err;
    }
  }
}
