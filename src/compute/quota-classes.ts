import { ensureNamespace } from '../identity/service.ts';
import { SYSTEM_NS } from '../identity/model.ts';
import { AlreadyExistsError, type KubeClient, type KubeObject, NotFoundError, R } from '../kube/index.ts';
import { MANAGED } from './model.ts';
import { DEFAULT_QUOTAS, QUOTA_KEYS, type Quotas } from './quotas.ts';

// Nova's `default` quota class: the quotas of every project that has none of its own, kept
// per region in a ConfigMap in dicot-system (only `default` is used, as in Nova). Read with
// the gateway's client (users cannot read dicot-system) and cached briefly: every quota check
// needs it, and it changes rarely.

export const DEFAULT_CLASS = 'default';
const CONFIG_MAP = 'dicot-compute-quota-class-default';
const TTL_MS = 5_000;

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

/** Pure: the class's ConfigMap (or none) → quotas; keys it lacks keep Dicot's built-in defaults. */
export function toClassQuotas(cm: ConfigMap | undefined): Quotas {
  const q: Quotas = { ...DEFAULT_QUOTAS };
  for (const k of QUOTA_KEYS) {
    const raw = cm?.data?.[k];
    if (raw !== undefined && /^-?\d+$/.test(raw)) q[k] = Number(raw);
  }
  return q;
}

const cache = new WeakMap<KubeClient, { at: number; quotas: Promise<Quotas> }>();

export function quotaDefaults(gw: KubeClient, now = Date.now()): Promise<Quotas> {
  const hit = cache.get(gw);
  if (hit && now - hit.at < TTL_MS) return hit.quotas;
  const quotas = gw
    .get<ConfigMap>(R.configMaps, CONFIG_MAP, { namespace: SYSTEM_NS })
    .catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)))
    .then(toClassQuotas);
  cache.set(gw, { at: now, quotas });
  quotas.catch(() => cache.delete(gw));
  return quotas;
}

/** Writes the default class (this gateway sees it at once; other replicas within 5 s). */
export async function writeQuotaDefaults(gw: KubeClient, q: Quotas): Promise<Quotas> {
  const body = { metadata: { name: CONFIG_MAP, namespace: SYSTEM_NS, labels: { ...MANAGED } }, data: Object.fromEntries(QUOTA_KEYS.map((k) => [k, String(q[k])])) };
  await ensureNamespace(gw, SYSTEM_NS);
  try {
    await gw.create(R.configMaps, body);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    await gw.patch(R.configMaps, CONFIG_MAP, { data: body.data }, { namespace: SYSTEM_NS, type: 'merge' });
  }
  cache.delete(gw);
  return q;
}
