import { forbidden } from '../core/faults.ts';
import { AlreadyExistsError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import type { Flavor } from './flavors.ts';
import { MANAGED, MiB, annotationsOf, intOf, quantityBytes } from './model.ts';
import type { ServerRecord } from './servers.ts';

// Nova quotas are a ResourceQuota in the project's namespace, `dicot-compute`: instances,
// cores and ram are hard limits Kubernetes understands (VM count; the CPU and memory the
// VMs' pods request), the rest (Nova-only counters) are annotations on it. -1 = unlimited
// (the key is left out of `hard`). Usage is counted from the project's servers.

export const QUOTA_NAME = 'dicot-compute';
const VM_COUNT = 'count/virtualmachines.kubevirt.io';

export const DEFAULT_QUOTAS = {
  instances: 10,
  cores: 20,
  ram: 51200,
  key_pairs: 100,
  metadata_items: 128,
  server_groups: 10,
  server_group_members: 10,
  injected_files: 5,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  fixed_ips: -1,
  floating_ips: 10,
  security_groups: 10,
  security_group_rules: 20,
} as const;
export type QuotaKey = keyof typeof DEFAULT_QUOTAS;
export type Quotas = Record<QuotaKey, number>;
export const QUOTA_KEYS = Object.keys(DEFAULT_QUOTAS) as QuotaKey[];
const ANNOTATED = QUOTA_KEYS.filter((k) => !['instances', 'cores', 'ram'].includes(k));
const annotationKey = (k: QuotaKey) => `compute.openstack.dicot.io/quota-${k.replace(/_/g, '-')}`;

interface ResourceQuota {
  metadata: { name?: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; resourceVersion?: string; uid?: string };
  spec?: { hard?: Record<string, string> };
}

/** Pure: ResourceQuota (or none) → Nova quota set; what it leaves out is the default class's. */
export function toQuotas(rq: ResourceQuota | undefined, defaults: Quotas = DEFAULT_QUOTAS): Quotas {
  const q: Quotas = { ...defaults };
  if (!rq) return q;
  const hard = rq.spec?.hard ?? {};
  const a = annotationsOf(rq as never);
  const limited = (key: string) => hard[key] !== undefined;
  q.instances = limited(VM_COUNT) ? intOf(hard[VM_COUNT], q.instances) : a[annotationKey('instances')] === '-1' ? -1 : q.instances;
  q.cores = limited('requests.cpu') ? Math.floor(Number(quantityBytes(hard['requests.cpu']) ?? q.cores)) : a[annotationKey('cores')] === '-1' ? -1 : q.cores;
  q.ram = limited('requests.memory') ? Math.floor((quantityBytes(hard['requests.memory']) ?? q.ram * MiB) / MiB) : a[annotationKey('ram')] === '-1' ? -1 : q.ram;
  for (const k of ANNOTATED) {
    const raw = a[annotationKey(k)];
    if (raw !== undefined && /^-?\d+$/.test(raw)) q[k] = Number(raw);
  }
  return q;
}

/** Pure: Nova quota set → ResourceQuota body. */
export function resourceQuotaFor(namespace: string, q: Quotas): ResourceQuota {
  const hard: Record<string, string> = {};
  if (q.instances >= 0) hard[VM_COUNT] = String(q.instances);
  if (q.cores >= 0) hard['requests.cpu'] = String(q.cores);
  if (q.ram >= 0) hard['requests.memory'] = `${q.ram}Mi`;
  const annotations: Record<string, string> = {};
  for (const k of QUOTA_KEYS) if (ANNOTATED.includes(k) || q[k] < 0) annotations[annotationKey(k)] = String(q[k]);
  return { metadata: { name: QUOTA_NAME, namespace, labels: { ...MANAGED }, annotations }, spec: { hard } };
}

/** The project's quotas: its ResourceQuota (read as the caller), over the region's default class. */
export async function readQuotas(kube: KubeClient, namespace: string, defaults: Promise<Quotas>): Promise<Quotas> {
  const rq = kube.get<ResourceQuota>(R.resourceQuotas, QUOTA_NAME, { namespace }).catch((err: unknown) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
  const [found, base] = await Promise.all([rq, defaults]);
  return toQuotas(found, base);
}

export async function writeQuotas(kube: KubeClient, namespace: string, q: Quotas): Promise<Quotas> {
  const body = resourceQuotaFor(namespace, q);
  try {
    await kube.create(R.resourceQuotas, body as never);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const cur = await kube.get<ResourceQuota>(R.resourceQuotas, QUOTA_NAME, { namespace });
    await kube.replace(R.resourceQuotas, { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata.resourceVersion } } as never);
  }
  return q;
}

/** Back to the default class: the project's own quota set goes. */
export async function deleteQuotas(kube: KubeClient, namespace: string): Promise<void> {
  await kube.delete(R.resourceQuotas, QUOTA_NAME, { namespace }).catch((err: unknown) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
}

export interface Usage {
  instances: number;
  cores: number;
  ram: number;
}

/** Pure: what the project's servers use. */
export function usageOf(servers: ServerRecord[], flavors: Map<string, Flavor>): Usage {
  const u: Usage = { instances: 0, cores: 0, ram: 0 };
  for (const s of servers) {
    if (s.vm.metadata.deletionTimestamp) continue;
    const f = flavors.get(s.flavorId);
    u.instances += 1;
    u.cores += f?.vcpus ?? 0;
    u.ram += f?.ram ?? 0;
  }
  return u;
}

/**
 * How many of `max` new servers fit (at least `min`), or Nova's 403
 * ("Quota exceeded for cores: Requested 4, but already used 18 of 20 cores").
 */
export function admit(q: Quotas, used: Usage, flavor: Flavor, min: number, max: number): number {
  for (let n = max; n >= min; n--) {
    const want = { instances: n, cores: n * flavor.vcpus, ram: n * flavor.ram };
    if ((['instances', 'cores', 'ram'] as const).every((k) => q[k] < 0 || used[k] + want[k] <= q[k])) return n;
  }
  const want = { instances: min, cores: min * flavor.vcpus, ram: min * flavor.ram };
  const over = (['instances', 'cores', 'ram'] as const).find((k) => q[k] >= 0 && used[k] + want[k] > q[k]) ?? 'instances';
  throw forbidden(`Quota exceeded for ${over}: Requested ${want[over]}, but already used ${used[over]} of ${q[over]} ${over}`);
}

/** A resize's growth in cores and RAM must fit the quota (Nova checks the delta only). */
export function admitResize(q: Quotas, used: Usage, from: Flavor | undefined, to: Flavor): void {
  const grow = { cores: to.vcpus - (from?.vcpus ?? 0), ram: to.ram - (from?.ram ?? 0) };
  const over = (['cores', 'ram'] as const).find((k) => grow[k] > 0 && q[k] >= 0 && used[k] + grow[k] > q[k]);
  if (over) throw forbidden(`Quota exceeded for ${over}: Requested ${grow[over]}, but already used ${used[over]} of ${q[over]} ${over}`);
}
