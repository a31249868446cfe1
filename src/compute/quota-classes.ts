import { readSystemConfig, writeSystemConfig } from '../core/system-config.ts';
import type { KubeClient } from '../kube/index.ts';
import { DEFAULT_QUOTAS, QUOTA_KEYS, type Quotas } from './quotas.ts';

// Nova's `default` quota class: the quotas of every project that has none of its own, kept
// per region in dicot-system (only `default` is used, as in Nova).

export const DEFAULT_CLASS = 'default';
const CONFIG_MAP = 'dicot-compute-quota-class-default';

/** Pure: the class's stored values → quotas; keys it lacks keep Dicot's built-in defaults. */
export function toClassQuotas(data: Record<string, string>): Quotas {
  const q: Quotas = { ...DEFAULT_QUOTAS };
  for (const k of QUOTA_KEYS) {
    const raw = data[k];
    if (raw !== undefined && /^-?\d+$/.test(raw)) q[k] = Number(raw);
  }
  return q;
}

export const quotaDefaults = async (gw: KubeClient): Promise<Quotas> => toClassQuotas(await readSystemConfig(gw, CONFIG_MAP));

export async function writeQuotaDefaults(gw: KubeClient, q: Quotas): Promise<Quotas> {
  await writeSystemConfig(gw, CONFIG_MAP, Object.fromEntries(QUOTA_KEYS.map((k) => [k, String(q[k])])));
  return q;
}
