import * as v from 'valibot';
import { badRequest, conflict, notFound } from '../core/faults.ts';
import { AlreadyExistsError, type KubeClient, type KubeObject, NotFoundError, R } from '../kube/index.ts';
import { MANAGED, type KubeNode, isoMicros } from './model.ts';
import { ZONE_LABEL, forgetNodes } from './zones.ts';

// Host aggregates. An aggregate is a cluster-scoped `Aggregate` (openstack.dicot.io) whose spec
// holds Nova's attributes: the integer id (also in the object name, so two creates cannot take
// the same id), name, metadata (the availability zone is the metadata key
// `availability_zone`, as in Nova) and hosts (Node names). Each member Node carries the label
// `aggregate.openstack.dicot.io/<id>` so the scheduler can select on it. An aggregate's zone
// becomes its hosts' zone the way Dicot reads zones everywhere: the Node's
// topology.kubernetes.io/zone label, set while the host is in a zoned aggregate; the label's
// earlier value is kept in an annotation and restored when the host leaves the last one.

export const AGGREGATE_LABEL_PREFIX = 'aggregate.openstack.dicot.io/';
export const ORIGINAL_ZONE_ANNOTATION = 'aggregate.openstack.dicot.io/original-zone';
export const AZ_KEY = 'availability_zone';
export const aggregateLabel = (id: number) => `${AGGREGATE_LABEL_PREFIX}${id}`;

export interface Aggregate {
  id: number;
  uuid: string;
  name: string;
  /** Nova's metadata, `availability_zone` included. */
  metadata: Record<string, string>;
  hosts: string[];
  createdAt: string;
  updatedAt: string | null;
  object: string;
  resourceVersion: string;
}

export interface AggregateObject extends KubeObject {
  spec: { id: number; name: string; metadata?: Record<string, string>; hosts?: string[]; updated_at?: string };
}

const Spec = v.object({
  id: v.pipe(v.number(), v.integer()),
  name: v.string(),
  metadata: v.optional(v.record(v.string(), v.string()), {}),
  hosts: v.optional(v.array(v.string()), []),
  updated_at: v.optional(v.string()),
});

/** The aggregate an object records, or undefined for one edited into nonsense. */
export function toAggregate(o: KubeObject): Aggregate | undefined {
  const r = v.safeParse(Spec, (o as { spec?: unknown }).spec);
  if (!r.success) return undefined;
  const s = r.output;
  return {
    id: s.id,
    uuid: o.metadata.uid ?? '',
    name: s.name,
    metadata: s.metadata,
    hosts: s.hosts,
    createdAt: isoMicros(o.metadata.creationTimestamp ?? 0),
    updatedAt: s.updated_at ?? null,
    object: o.metadata.name ?? '',
    resourceVersion: o.metadata.resourceVersion ?? '',
  };
}

export const zoneOfAggregate = (a: Pick<Aggregate, 'metadata'>): string | null => a.metadata[AZ_KEY] ?? null;

/** The object for an aggregate (create, or replace when `resourceVersion` is given). */
export function aggregateObject(a: Omit<Aggregate, 'uuid' | 'createdAt' | 'object' | 'resourceVersion'> & { resourceVersion?: string }): AggregateObject {
  return {
    apiVersion: 'openstack.dicot.io/v1alpha1',
    kind: 'Aggregate',
    metadata: { name: `aggregate-${a.id}`, labels: { ...MANAGED }, ...(a.resourceVersion ? { resourceVersion: a.resourceVersion } : {}) },
    spec: { id: a.id, name: a.name, metadata: a.metadata, hosts: a.hosts, ...(a.updatedAt ? { updated_at: a.updatedAt } : {}) },
  };
}

/** The next id: Nova's ids are integers that grow. */
export const nextId = (all: Aggregate[]) => all.reduce((m, a) => Math.max(m, a.id), 0) + 1;

// A zone becomes a Node label value, so it must be one (Nova's own rule: no ':').
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Nova's checks on an availability zone name, plus Kubernetes' on a label value. */
export function checkZoneName(az: string): void {
  if (az.includes(':')) throw badRequest(`Invalid input for field/attribute availability_zone. Value: ${az}. The availability zone name cannot contain ':'`);
  if (az.length > 63 || !LABEL_VALUE.test(az)) {
    throw badRequest(
      `Availability zone '${az}' is not possible here: a zone is the hosts' topology.kubernetes.io/zone label, at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit.`,
    );
  }
}

/**
 * Nova's rule that a host is in one availability zone: the zones other aggregates of `host`
 * give it that differ from `az` (empty when `az` is null or there is no conflict).
 */
export function conflictingZones(host: string, az: string | null, all: Aggregate[], self: number): string[] {
  if (az === null) return [];
  const zones = all.filter((a) => a.id !== self && a.hosts.includes(host)).map(zoneOfAggregate);
  return [...new Set(zones.filter((z): z is string => z !== null && z !== az))];
}

/**
 * The merge patch that makes a Node reflect the aggregates it belongs to (`memberOf`, after the
 * change): one label per aggregate, the zone label set to their zone (its earlier value kept
 * once in an annotation), or restored when no zoned aggregate remains. null when nothing changes.
 */
export function nodePatch(node: KubeNode, memberOf: Aggregate[]): { metadata: { labels?: Record<string, string | null>; annotations?: Record<string, string | null> } } | null {
  const labels: Record<string, string | null> = {};
  const annotations: Record<string, string | null> = {};
  const current = node.metadata.labels ?? {};
  const wanted = new Set(memberOf.map((a) => aggregateLabel(a.id)));
  for (const k of Object.keys(current)) if (k.startsWith(AGGREGATE_LABEL_PREFIX) && !wanted.has(k)) labels[k] = null;
  for (const k of wanted) if (current[k] !== 'true') labels[k] = 'true';
  const zone = memberOf.map(zoneOfAggregate).find((z) => z !== null) ?? null;
  const saved = node.metadata.annotations?.[ORIGINAL_ZONE_ANNOTATION];
  if (zone !== null) {
    if (saved === undefined) annotations[ORIGINAL_ZONE_ANNOTATION] = current[ZONE_LABEL] ?? '';
    if (current[ZONE_LABEL] !== zone) labels[ZONE_LABEL] = zone;
  } else if (saved !== undefined) {
    labels[ZONE_LABEL] = saved === '' ? null : saved;
    annotations[ORIGINAL_ZONE_ANNOTATION] = null;
  }
  const metadata = {
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
  return Object.keys(metadata).length ? { metadata } : null;
}

/** Aggregates read and written as the caller (a cloud admin: RBAC decides), Nodes included. */
export class Aggregates {
  /** `kube` acts as the caller; `cache` is the gateway client whose node cache writes refresh. */
  constructor(
    private readonly kube: KubeClient,
    private readonly cache: KubeClient,
  ) {}

  async list(): Promise<Aggregate[]> {
    const l = await this.kube.listAll<KubeObject>(R.aggregates);
    return l.items
      .map(toAggregate)
      .filter((a): a is Aggregate => a !== undefined)
      .sort((a, b) => a.id - b.id);
  }

  /** The aggregate with Nova id `raw` (a path parameter): 400 if not an integer, 404 if unknown. */
  async require(raw: string, all?: Aggregate[]): Promise<Aggregate> {
    if (!/^-?\d+$/.test(raw.trim())) throw badRequest(`Invalid aggregate id ${raw}: it must be an integer.`);
    const id = Number(raw);
    const a = (all ?? (await this.list())).find((x) => x.id === id);
    if (!a) throw notFound(`Aggregate ${raw} could not be found.`);
    return a;
  }

  async create(name: string, az: string | null): Promise<Aggregate> {
    if (az !== null) checkZoneName(az);
    for (let attempt = 0; ; attempt++) {
      const all = await this.list();
      if (all.some((a) => a.name === name)) throw conflict(`Aggregate ${name} already exists.`);
      const obj = aggregateObject({ id: nextId(all), name, metadata: az === null ? {} : { [AZ_KEY]: az }, hosts: [], updatedAt: null });
      try {
        return toAggregate(await this.kube.create(R.aggregates, obj)) as Aggregate;
      } catch (err) {
        // Another create took the id first: take the next one.
        if (!(err instanceof AlreadyExistsError) || attempt >= 4) throw err;
      }
    }
  }

  /** Name and zone (Nova's update); `az` undefined leaves the zone, null removes it. */
  async update(a: Aggregate, all: Aggregate[], change: { name?: string; az?: string | null }): Promise<Aggregate> {
    if (change.name !== undefined && change.name !== a.name && all.some((x) => x.name === change.name)) throw conflict(`Aggregate ${change.name} already exists.`);
    const metadata = { ...a.metadata };
    if (change.az !== undefined) {
      if (change.az === null) delete metadata[AZ_KEY];
      else metadata[AZ_KEY] = change.az;
    }
    return this.write(a, all, { name: change.name ?? a.name, metadata });
  }

  /** Nova's set_metadata: keys merged, a null value removes its key. */
  async setMetadata(a: Aggregate, all: Aggregate[], meta: Record<string, string | null>): Promise<Aggregate> {
    const metadata = { ...a.metadata };
    for (const [k, val] of Object.entries(meta)) {
      if (val === null) delete metadata[k];
      else metadata[k] = val;
    }
    return this.write(a, all, { name: a.name, metadata });
  }

  async addHost(a: Aggregate, all: Aggregate[], host: string): Promise<Aggregate> {
    const node = await this.node(host);
    if (a.hosts.includes(host)) throw conflict(`Aggregate ${a.id} already has host ${host}.`);
    const zones = conflictingZones(host, zoneOfAggregate(a), all, a.id);
    if (zones.length) throw conflict(`Cannot add host to aggregate ${a.id}. Reason: One or more hosts already in availability zone(s) ${JSON.stringify(zones)}.`);
    const updated = await this.replace({ ...a, hosts: [...a.hosts, host] });
    await this.syncNodes([node], all.map((x) => (x.id === a.id ? updated : x)), () => this.replace({ ...updated, hosts: a.hosts }));
    return updated;
  }

  async removeHost(a: Aggregate, all: Aggregate[], host: string): Promise<Aggregate> {
    const node = await this.node(host);
    if (!a.hosts.includes(host)) throw notFound(`Cannot remove host ${host} in aggregate ${a.id}`);
    const updated = await this.replace({ ...a, hosts: a.hosts.filter((h) => h !== host) });
    await this.syncNodes([node], all.map((x) => (x.id === a.id ? updated : x)), () => this.replace({ ...updated, hosts: a.hosts }));
    return updated;
  }

  async delete(a: Aggregate): Promise<void> {
    if (a.hosts.length) throw badRequest(`Cannot remove aggregate ${a.id}. Reason: Host aggregate is not empty.`);
    try {
      await this.kube.delete(R.aggregates, a.object, { preconditions: { uid: a.uuid } });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      throw notFound(`Aggregate ${a.id} could not be found.`);
    }
  }

  /** Writes a new name/metadata; a changed zone is checked against the hosts' other zones, then moved onto them. */
  private async write(a: Aggregate, all: Aggregate[], next: { name: string; metadata: Record<string, string> }): Promise<Aggregate> {
    const az = zoneOfAggregate(next);
    const zoneChanged = az !== zoneOfAggregate(a);
    if (zoneChanged && az !== null) {
      checkZoneName(az);
      for (const h of a.hosts) {
        const zones = conflictingZones(h, az, all, a.id);
        if (zones.length) throw badRequest(`Cannot update aggregate ${a.id}. Reason: One or more hosts already in availability zone(s) ${JSON.stringify(zones)}.`);
      }
    }
    const updated = await this.replace({ ...a, ...next, updatedAt: isoMicros(Date.now()) });
    if (zoneChanged && a.hosts.length) {
      const nodes = (await this.kube.listAll<KubeNode>(R.nodes)).items.filter((n) => a.hosts.includes(n.metadata.name ?? ''));
      await this.syncNodes(nodes, all.map((x) => (x.id === a.id ? updated : x)), () => this.replace({ ...updated, name: a.name, metadata: a.metadata }));
    }
    return updated;
  }

  private async node(host: string): Promise<KubeNode> {
    try {
      return await this.kube.get<KubeNode>(R.nodes, host);
    } catch (err) {
      if (err instanceof NotFoundError) throw notFound(`Compute host ${host} could not be found.`);
      throw err;
    }
  }

  private async replace(a: Aggregate): Promise<Aggregate> {
    return toAggregate(await this.kube.replace(R.aggregates, aggregateObject(a))) as Aggregate;
  }

  /** Patches each node to match `all`; when one fails, `undo` puts the aggregate back. */
  private async syncNodes(nodes: KubeNode[], all: Aggregate[], undo: () => Promise<unknown>): Promise<void> {
    try {
      await Promise.all(
        nodes.map((n) => {
          const patch = nodePatch(n, all.filter((a) => a.hosts.includes(n.metadata.name ?? '')));
          return patch && this.kube.patch(R.nodes, n.metadata.name ?? '', patch, { type: 'merge' });
        }),
      );
    } catch (err) {
      await undo().catch(() => undefined);
      throw err;
    } finally {
      forgetNodes(this.cache);
    }
  }
}
