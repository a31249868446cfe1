import { ApiFault } from '../core/faults.ts';
import { readSystemConfig, writeSystemConfig } from '../core/system-config.ts';
import { AlreadyExistsError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { StringMap, type VolumeTypeRecord } from './model.ts';
import type { VolumeContext } from './service.ts';
import { listSnapshots, listTypes, listVolumes } from './service.ts';

// Cinder quotas are a ResourceQuota in the project's namespace, `dicot-volume`: volumes,
// gigabytes and snapshots (and their per-type forms) are hard limits Kubernetes enforces
// itself (PVC count, requested storage, VolumeSnapshot count, per-StorageClass keys); the
// Cinder-only ones are annotations. -1 = unlimited (the key is left out of `hard`). The
// gateway checks before creating too, so an over-quota create is a 413 with nothing written.

export const QUOTA_NAME = 'dicot-volume';
const ANN = 'volume.openstack.dicot.io/quotas';

export const DEFAULT_QUOTAS: Record<string, number> = {
  volumes: 10,
  snapshots: 10,
  gigabytes: 1000,
  backups: 10,
  backup_gigabytes: 1000,
  per_volume_gigabytes: -1,
  groups: 10,
};

interface ResourceQuota {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; resourceVersion?: string };
  spec?: { hard?: Record<string, string> };
}

const SC = '.storageclass.storage.k8s.io/';
/** Cinder key → ResourceQuota hard key (the ones Kubernetes can enforce). */
export function hardKeyOf(key: string): string | undefined {
  if (key === 'volumes') return 'persistentvolumeclaims';
  if (key === 'gigabytes') return 'requests.storage';
  if (key === 'snapshots') return 'count/volumesnapshots.snapshot.storage.k8s.io';
  const m = /^(volumes|gigabytes)_(.+)$/.exec(key);
  if (m && m[2] !== undefined && !['gigabytes'].includes(m[2])) return `${m[2]}${SC}${m[1] === 'volumes' ? 'persistentvolumeclaims' : 'requests.storage'}`;
  return undefined;
}

const GiB = 2 ** 30;
function gib(q: string): number {
  const m = /^(\d+)(Gi|Ti|Mi)?$/.exec(q.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'Ti' ? n * 1024 : m[2] === 'Mi' ? Math.ceil((n * 2 ** 20) / GiB) : m[2] === 'Gi' ? n : Math.ceil(n / GiB);
}

/**
 * Pure: the quota set for `types` (StorageClass names). Per-type keys default to -1, as
 * Cinder's; the default class's values (`classValues`) come before the project's own.
 */
export function toQuotas(rq: ResourceQuota | undefined, types: string[], classValues: Record<string, number> = {}): Record<string, number> {
  const q: Record<string, number> = { ...DEFAULT_QUOTAS };
  for (const t of types) for (const k of ['volumes', 'gigabytes', 'snapshots']) q[`${k}_${t}`] = -1;
  for (const [k, v] of Object.entries(classValues)) if (k in q) q[k] = v;
  if (!rq) return q;
  const hard = rq.spec?.hard ?? {};
  const saved = StringMap(rq.metadata.annotations?.[ANN]);
  for (const [k, v] of Object.entries(saved)) if (/^-?\d+$/.test(v)) q[k] = Number(v);
  for (const k of Object.keys(q)) {
    const hk = hardKeyOf(k);
    const raw = hk ? hard[hk] : undefined;
    if (raw === undefined) continue;
    const n = k.startsWith('gigabytes') ? gib(raw) : Number(raw);
    if (Number.isFinite(n)) q[k] = n;
  }
  return q;
}

/** Pure: quota set → ResourceQuota (hard keys for what Kubernetes enforces, the rest annotated). */
export function resourceQuotaFor(namespace: string, q: Record<string, number>): ResourceQuota {
  const hard: Record<string, string> = {};
  const saved: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) {
    const hk = hardKeyOf(k);
    if (hk && v >= 0) hard[hk] = k.startsWith('gigabytes') ? `${v}Gi` : String(v);
    else saved[k] = String(v);
  }
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: QUOTA_NAME, namespace, labels: { 'app.kubernetes.io/managed-by': 'dicot' }, annotations: { [ANN]: JSON.stringify(saved) } },
    spec: { hard },
  };
}

async function readRq(kube: KubeClient, namespace: string): Promise<ResourceQuota | undefined> {
  return kube.get<ResourceQuota>(R.resourceQuotas, QUOTA_NAME, { namespace }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
}

export async function readQuotas(ctx: VolumeContext, namespace: string): Promise<Record<string, number>> {
  const [rq, types, classValues] = await Promise.all([readRq(ctx.gw, namespace), listTypes(ctx), readQuotaClass(ctx.gw)]);
  // Per-type keys name the StorageClass (what a ResourceQuota can scope to).
  return toQuotas(rq, types.map((t) => t.object), classValues);
}

// ---- the default quota class: the defaults of every project, kept per region in dicot-system ----

const CLASS_CONFIG = 'dicot-volume-quota-class-default';

export async function readQuotaClass(gw: KubeClient): Promise<Record<string, number>> {
  const data = await readSystemConfig(gw, CLASS_CONFIG);
  return Object.fromEntries(Object.entries(data).filter(([, v]) => /^-?\d+$/.test(v)).map(([k, v]) => [k, Number(v)]));
}

/** The default quotas for the region's types (StorageClass-keyed). */
export async function defaultQuotas(ctx: VolumeContext): Promise<Record<string, number>> {
  const [types, classValues] = await Promise.all([listTypes(ctx), readQuotaClass(ctx.gw)]);
  return toQuotas(undefined, types.map((t) => t.object), classValues);
}

/** Merges `changes` (StorageClass-keyed) into the default class. */
export async function writeQuotaClass(gw: KubeClient, changes: Record<string, number>): Promise<void> {
  await writeSystemConfig(gw, CLASS_CONFIG, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, String(v)])));
}

// ---- per-type keys: Cinder names them by volume type, Kubernetes by StorageClass ----

export type TypeNames = Pick<VolumeTypeRecord, 'name' | 'object'>[];
const PER_TYPE = /^(volumes|gigabytes|snapshots)_(.+)$/;

function renameTypeKeys<T>(q: Record<string, T>, from: (t: TypeNames[number]) => string, to: (t: TypeNames[number]) => string, types: TypeNames): Record<string, T> {
  const byFrom = new Map(types.map((t) => [from(t), to(t)]));
  return Object.fromEntries(
    Object.entries(q).map(([k, v]) => {
      const m = PER_TYPE.exec(k);
      const renamed = m ? byFrom.get(m[2] as string) : undefined;
      return [renamed !== undefined ? `${m?.[1]}_${renamed}` : k, v];
    }),
  );
}

/** Pure: StorageClass-keyed (as stored) → type-name-keyed (as Cinder shows them). */
export const byTypeName = <T>(q: Record<string, T>, types: TypeNames) => renameTypeKeys(q, (t) => t.object, (t) => t.name, types);
/** Pure: type-name-keyed (as clients send them) → StorageClass-keyed; unknown names stay as sent. */
export const byClassName = <T>(q: Record<string, T>, types: TypeNames) => renameTypeKeys(q, (t) => t.name, (t) => t.object, types);

/** Admin update: merges `changes` into the stored set. */
export async function writeQuotas(ctx: VolumeContext, namespace: string, changes: Record<string, number>): Promise<Record<string, number>> {
  const q = { ...(await readQuotas(ctx, namespace)), ...changes };
  const body = resourceQuotaFor(namespace, q);
  try {
    await ctx.gw.create(R.resourceQuotas, body as never);
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) throw e;
    const cur = await readRq(ctx.gw, namespace);
    await ctx.gw.replace(R.resourceQuotas, { ...body, metadata: { ...body.metadata, resourceVersion: cur?.metadata.resourceVersion } } as never);
  }
  return q;
}

export async function deleteQuotas(ctx: VolumeContext, namespace: string): Promise<void> {
  await ctx.gw.delete(R.resourceQuotas, QUOTA_NAME, { namespace }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
}

/** What the project's volumes and snapshots use, per Cinder key. */
export async function usage(ctx: VolumeContext, namespace: string): Promise<Record<string, number>> {
  const [vols, snaps] = await Promise.all([listVolumes(ctx, { namespace }), listSnapshots(ctx, { namespace })]);
  const u: Record<string, number> = { volumes: 0, gigabytes: 0, snapshots: 0 };
  const add = (k: string, n: number) => {
    u[k] = (u[k] ?? 0) + n;
  };
  const typeOf = new Map(vols.map((v) => [v.id, v.typeName]));
  for (const v of vols) {
    if (v.status === 'deleting') continue;
    add('volumes', 1);
    add('gigabytes', v.size);
    if (v.typeName) {
      add(`volumes_${v.typeName}`, 1);
      add(`gigabytes_${v.typeName}`, v.size);
    }
  }
  for (const s of snaps) {
    if (s.status === 'deleting') continue;
    // As in Cinder, a snapshot's size counts against gigabytes too.
    add('snapshots', 1);
    add('gigabytes', s.size);
    const t = typeOf.get(s.volumeId);
    if (t) {
      add(`snapshots_${t}`, 1);
      add(`gigabytes_${t}`, s.size);
    }
  }
  return u;
}

/** 413 (Cinder's OverLimit wording) when adding `want` would pass a limit. */
/** `size` is the resulting volume's size, for per_volume_gigabytes. */
export async function checkQuota(ctx: VolumeContext, namespace: string, want: { volumes?: number; gigabytes?: number; snapshots?: number; typeName?: string; size?: number }): Promise<void> {
  const [q, used, types] = await Promise.all([readQuotas(ctx, namespace), usage(ctx, namespace), want.typeName ? listTypes(ctx) : []]);
  // Messages name per-type keys as Cinder does, by type name.
  const shown = (k: string) => Object.keys(byTypeName({ [k]: 0 }, types))[0] as string;
  const perVolume = q.per_volume_gigabytes ?? -1;
  if (want.size !== undefined && perVolume >= 0 && want.size > perVolume) {
    throw new ApiFault(413, `VolumeSizeExceedsLimit: Requested volume size ${want.size}G is larger than maximum allowed limit ${perVolume}G.`);
  }
  const checks: [string, number][] = [];
  for (const k of ['volumes', 'gigabytes', 'snapshots'] as const) {
    const n = want[k];
    if (!n) continue;
    checks.push([k, n]);
    if (want.typeName) checks.push([`${k}_${want.typeName}`, n]);
  }
  for (const [k, n] of checks) {
    const limit = q[k] ?? -1;
    if (limit >= 0 && (used[k] ?? 0) + n > limit) {
      if (k.startsWith('gigabytes')) {
        throw new ApiFault(413, `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed ${shown(k)} quota. Requested ${n}G, quota is ${limit}G and ${used[k] ?? 0}G has been consumed.`);
      }
      const what = k.startsWith('snapshots') ? 'SnapshotLimitExceeded: Maximum number of snapshots' : 'VolumeLimitExceeded: Maximum number of volumes';
      throw new ApiFault(413, `${what} allowed (${limit}) exceeded for quota '${shown(k)}'.`);
    }
  }
}
