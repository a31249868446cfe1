import type { Context } from 'hono';
import type { GatewayEnv, Region } from '../core/context.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../core/faults.ts';
import { identityOf } from '../identity/service.ts';
import { ConflictError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { UUID } from '../core/names.ts';
import {
  type Attachment,
  type DataVolume,
  type Pvc,
  SNAPSHOT_SELECTOR,
  type SnapshotRecord,
  type StorageClass,
  VA,
  VL,
  VOLUME_SELECTOR,
  type VmLike,
  type VolumeRecord,
  type VolumeSnapshot,
  type VolumeTypeRecord,
  attachmentsByClaim,
  objectName,
  toSnapshot,
  toVolume,
  toVolumeType,
} from './model.ts';

// Volumes, snapshots and types through the Kubernetes API. A caller's own project is read
// and written with its impersonating client (RBAC decides); an admin's cross-project reads
// (all_tenants, show by id) use the gateway's client with the Dicot label selectors.

export interface Caller {
  projectId: string | undefined;
  userId: string;
  isAdmin: boolean;
}

export interface VolumeContext {
  c: Context<GatewayEnv>;
  region: Region;
  gw: KubeClient;
  user: KubeClient;
  caller: Caller;
  now(): number;
  /** The caller's project namespace (403 without a project). */
  namespace(): Promise<string>;
}

export function volumeContext(c: Context<GatewayEnv>): VolumeContext {
  const auth = c.get('auth');
  if (!auth) throw unauthorized();
  const region = c.get('region');
  const gateway = c.get('gateway');
  let ns: Promise<string> | undefined;
  return {
    c,
    region,
    gw: region.kube,
    user: auth.kube,
    caller: { projectId: auth.projectId, userId: auth.userId, isAdmin: auth.isAdmin },
    now: () => gateway.platform.now(),
    namespace() {
      ns ??= (async () => {
        const project = auth.projectId ? await identityOf(gateway).projects.get(auth.projectId) : undefined;
        if (!project) throw forbidden('Block storage needs a project-scoped token.');
        return project.namespace;
      })();
      return ns;
    },
  };
}

export const volumeNotFound = (id: string) => notFound(`Volume ${id} could not be found.`);
export const snapshotNotFound = (id: string) => notFound(`Snapshot ${id} could not be found.`);

const orUndefined = <T>(p: Promise<T>) => p.catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));

/** A VM's server id, as compute shows it (the VM uid). */
const serverIdOf = (vm: VmLike) => vm.metadata.uid ?? '';

/** Where to look: the caller's namespace, or (admins) every namespace. */
export type Scope = { namespace: string } | { all: true };

async function read(ctx: VolumeContext, scope: Scope, selector: string) {
  const client = 'all' in scope ? ctx.gw : ctx.user;
  const ns = 'all' in scope ? {} : { namespace: scope.namespace };
  const [dvs, pvcs, vms] = await Promise.all([
    client.listAll<DataVolume>(R.dataVolumes, { ...ns, labelSelector: selector }),
    client.listAll<Pvc>(R.pvcs, { ...ns, labelSelector: VOLUME_SELECTOR }),
    client.listAll<VmLike>(R.virtualMachines, ns),
  ]);
  return { dvs: dvs.items, pvcs: pvcs.items, vms: vms.items };
}

/** DataVolumes + PVCs + VMs → records (one LIST of each kind). */
function assemble(dvs: DataVolume[], pvcs: Pvc[], vms: VmLike[]): VolumeRecord[] {
  const key = (o: { metadata: { namespace?: string; name?: string } }) => `${o.metadata.namespace}/${o.metadata.name}`;
  const pvcBy = new Map(pvcs.map((p) => [key(p), p]));
  const idBy = new Map(dvs.map((d) => [key(d), d.metadata.labels?.[VL.volumeId] ?? '']));
  const vmsByNs = new Map<string, VmLike[]>();
  for (const vm of vms) vmsByNs.set(vm.metadata.namespace ?? '', [...(vmsByNs.get(vm.metadata.namespace ?? '') ?? []), vm]);
  const attachByNs = new Map<string, Map<string, Attachment[]>>();
  for (const [ns, list] of vmsByNs) attachByNs.set(ns, attachmentsByClaim(list, serverIdOf, (claim) => idBy.get(`${ns}/${claim}`)));
  return dvs.map((dv) => toVolume(dv, pvcBy.get(key(dv)), attachByNs.get(dv.metadata.namespace ?? '')?.get(dv.metadata.name ?? '') ?? []));
}

export async function listVolumes(ctx: VolumeContext, scope: Scope): Promise<VolumeRecord[]> {
  const { dvs, pvcs, vms } = await read(ctx, scope, VOLUME_SELECTOR);
  return assemble(dvs, pvcs, vms);
}

/** The volume, if the caller may see it (404 otherwise). Admins see every project's. */
export async function getVolume(ctx: VolumeContext, id: string): Promise<VolumeRecord> {
  if (!UUID.test(id)) throw volumeNotFound(id);
  const selector = `${VOLUME_SELECTOR}=${id.toLowerCase()}`;
  const client = ctx.caller.isAdmin ? ctx.gw : ctx.user;
  const ns = ctx.caller.isAdmin ? undefined : await ctx.namespace();
  const dvs = await client.list<DataVolume>(R.dataVolumes, { ...(ns ? { namespace: ns } : {}), labelSelector: selector });
  const dv = dvs.items[0];
  if (!dv) throw volumeNotFound(id);
  const namespace = dv.metadata.namespace ?? '';
  const [pvc, vms] = await Promise.all([
    orUndefined(client.get<Pvc>(R.pvcs, dv.metadata.name ?? '', { namespace })),
    client.listAll<VmLike>(R.virtualMachines, { namespace }),
  ]);
  return assemble([dv], pvc ? [pvc] : [], vms.items)[0] as VolumeRecord;
}

/** The client that writes a record: the owner's own, or the gateway's for an admin elsewhere. */
export async function writer(ctx: VolumeContext, namespace: string): Promise<KubeClient> {
  if (ctx.caller.isAdmin && namespace !== (await ctx.namespace().catch(() => ''))) return ctx.gw;
  return ctx.user;
}

export interface VolumeChanges {
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
  bootable?: boolean;
  /** A status to show (os-reset_status, reservations); null clears it. */
  status?: string | null;
  /** Glance properties the volume carries (`volume_image_metadata`); empty removes them. */
  imageMetadata?: Record<string, string>;
}

/** Writes changed Cinder fields as one merge patch, conditional on the version read. */
export async function saveVolume(ctx: VolumeContext, r: VolumeRecord, ch: VolumeChanges): Promise<VolumeRecord> {
  const annotations: Record<string, string | null> = { [VA.updatedAt]: new Date(ctx.now()).toISOString() };
  if (ch.name !== undefined) annotations[VA.name] = ch.name;
  if (ch.description !== undefined) annotations[VA.description] = ch.description;
  if (ch.metadata !== undefined) annotations[VA.metadata] = JSON.stringify(ch.metadata);
  if (ch.bootable !== undefined) annotations[VA.bootable] = String(ch.bootable);
  if (ch.status !== undefined) annotations[VA.statusOverride] = ch.status;
  if (ch.imageMetadata !== undefined) annotations[VA.imageMetadata] = Object.keys(ch.imageMetadata).length ? JSON.stringify(ch.imageMetadata) : null;
  const client = await writer(ctx, r.namespace);
  try {
    await client.patch<DataVolume>(R.dataVolumes, r.object, { metadata: { resourceVersion: r.resourceVersion, annotations } }, { namespace: r.namespace, type: 'merge' });
  } catch (e) {
    if (e instanceof NotFoundError) throw volumeNotFound(r.id);
    if (e instanceof ConflictError) throw conflict(`Volume ${r.id} was changed by another request; retry.`);
    throw e;
  }
  return getVolume(ctx, r.id);
}

// ---- types (StorageClasses) ----

export async function listTypes(ctx: VolumeContext): Promise<VolumeTypeRecord[]> {
  const list = await ctx.gw.listAll<StorageClass>(R.storageClasses);
  return list.items.map(toVolumeType).filter((t) => ctx.caller.isAdmin || t.isPublic || (!!ctx.caller.projectId && t.projects.includes(ctx.caller.projectId)));
}

/** A type by id or name; undefined when the caller cannot see one. */
export async function findType(ctx: VolumeContext, idOrName: string): Promise<VolumeTypeRecord | undefined> {
  const types = await listTypes(ctx);
  return types.find((t) => t.id === idOrName) ?? types.find((t) => t.name === idOrName) ?? types.find((t) => t.object === idOrName);
}

export async function defaultType(ctx: VolumeContext): Promise<VolumeTypeRecord | undefined> {
  const types = await listTypes(ctx);
  return types.find((t) => t.isDefault) ?? types[0];
}

// ---- snapshots (VolumeSnapshots) ----

export async function listSnapshots(ctx: VolumeContext, scope: Scope): Promise<SnapshotRecord[]> {
  const client = 'all' in scope ? ctx.gw : ctx.user;
  const list = await client.listAll<VolumeSnapshot>(R.volumeSnapshots, { ...('all' in scope ? {} : { namespace: scope.namespace }), labelSelector: SNAPSHOT_SELECTOR });
  return list.items.map(toSnapshot);
}

export async function getSnapshot(ctx: VolumeContext, id: string): Promise<SnapshotRecord> {
  if (!UUID.test(id)) throw snapshotNotFound(id);
  const client = ctx.caller.isAdmin ? ctx.gw : ctx.user;
  const ns = ctx.caller.isAdmin ? undefined : await ctx.namespace();
  const list = await client.list<VolumeSnapshot>(R.volumeSnapshots, { ...(ns ? { namespace: ns } : {}), labelSelector: `${SNAPSHOT_SELECTOR}=${id.toLowerCase()}` });
  const vs = list.items[0];
  if (!vs) throw snapshotNotFound(id);
  return toSnapshot(vs);
}

export interface SnapshotChanges {
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
  status?: string | null;
  /** Progress reported by os-update_snapshot_status ("80%"). */
  progress?: string;
}

export async function saveSnapshot(ctx: VolumeContext, s: SnapshotRecord, ch: SnapshotChanges): Promise<SnapshotRecord> {
  const annotations: Record<string, string | null> = { [VA.updatedAt]: new Date(ctx.now()).toISOString() };
  if (ch.name !== undefined) annotations[VA.name] = ch.name;
  if (ch.description !== undefined) annotations[VA.description] = ch.description;
  if (ch.metadata !== undefined) annotations[VA.metadata] = JSON.stringify(ch.metadata);
  if (ch.status !== undefined) annotations[VA.statusOverride] = ch.status;
  if (ch.progress !== undefined) annotations[VA.progress] = ch.progress;
  const client = await writer(ctx, s.namespace);
  try {
    const vs = await client.patch<VolumeSnapshot>(R.volumeSnapshots, s.object, { metadata: { resourceVersion: s.resourceVersion, annotations } }, { namespace: s.namespace, type: 'merge' });
    return toSnapshot(vs);
  } catch (e) {
    if (e instanceof NotFoundError) throw snapshotNotFound(s.id);
    if (e instanceof ConflictError) throw conflict(`Snapshot ${s.id} was changed by another request; retry.`);
    throw e;
  }
}

export interface SnapshotCreate {
  volume: VolumeRecord;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
  force: boolean;
}

export async function createSnapshot(ctx: VolumeContext, req: SnapshotCreate): Promise<SnapshotRecord> {
  const v = req.volume;
  if (v.status === 'in-use' && !req.force) throw badRequest(`Invalid volume: Volume ${v.id} status must be available, but current status is: in-use.`);
  if (v.status !== 'available' && v.status !== 'in-use') throw badRequest(`Invalid volume: Volume ${v.id} status must be available or in-use, but current status is: ${v.status}.`);
  const id = crypto.randomUUID();
  const client = await writer(ctx, v.namespace);
  const vs = await client.create<VolumeSnapshot>(R.volumeSnapshots, {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: {
      name: objectName(req.name, id, 'snapshot'),
      namespace: v.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'dicot', [VL.snapshotId]: id },
      annotations: present({
        [VA.name]: req.name,
        [VA.description]: req.description,
        [VA.metadata]: JSON.stringify(req.metadata),
        [VA.volumeId]: v.id,
        [VA.size]: String(v.size),
        [VA.projectId]: v.projectId,
        [VA.userId]: ctx.caller.userId,
      }),
    },
    spec: { source: { persistentVolumeClaimName: v.object } },
  });
  return toSnapshot(vs);
}

export async function deleteSnapshot(ctx: VolumeContext, s: SnapshotRecord, force: boolean): Promise<void> {
  if (!force && !['available', 'error', 'error_deleting', 'creating'].includes(s.status)) {
    throw badRequest(`Invalid snapshot: Snapshot status must be available or error and must not be part of a group, but current status is: ${s.status}.`);
  }
  if (!force && (await dependents(ctx, s)).length) throw badRequest(`Invalid snapshot: Snapshot ${s.id} has dependent volumes that are still creating.`);
  const client = await writer(ctx, s.namespace);
  await client.delete(R.volumeSnapshots, s.object, { namespace: s.namespace, propagationPolicy: 'Background' }).catch((e: unknown) => {
    if (e instanceof NotFoundError) throw snapshotNotFound(s.id);
    throw e;
  });
}

/** Volumes still being cloned from the snapshot (deleting it now would break them). */
async function dependents(ctx: VolumeContext, s: SnapshotRecord): Promise<VolumeRecord[]> {
  const vols = await listVolumes(ctx, { namespace: s.namespace }).catch(() => []);
  return vols.filter((v) => v.snapshotId === s.id && v.status === 'creating');
}

const present = (a: Record<string, string | null>): Record<string, string> =>
  Object.fromEntries(Object.entries(a).filter((e): e is [string, string] => e[1] !== null));
export { present };

