import { ensureNamespace } from '../identity/service.ts';
import { SYSTEM_NS } from '../identity/model.ts';
import { AlreadyExistsError, type KubeClient, type KubeObject, NotFoundError, R } from '../kube/index.ts';

// Small settings a region keeps for all its projects (quota classes): ConfigMaps in the
// region's dicot-system, written and read with the gateway's own client (users cannot read
// dicot-system), cached briefly since every quota check reads them and they change rarely.
// A write is seen at once by this gateway, by other replicas within the cache's lifetime.

const TTL_MS = 5_000;
const MANAGED = { 'app.kubernetes.io/managed-by': 'dicot' };

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const cache = new WeakMap<KubeClient, Map<string, { at: number; data: Promise<Record<string, string>> }>>();

/** The data of ConfigMap `name` in dicot-system ({} when there is none). */
export function readSystemConfig(gw: KubeClient, name: string, now = Date.now()): Promise<Record<string, string>> {
  const mine = cache.get(gw) ?? new Map();
  cache.set(gw, mine);
  const hit = mine.get(name);
  if (hit && now - hit.at < TTL_MS) return hit.data;
  const data = gw
    .get<ConfigMap>(R.configMaps, name, { namespace: SYSTEM_NS })
    .then((cm) => cm.data ?? {})
    .catch((e: unknown) => (e instanceof NotFoundError ? {} : Promise.reject(e)));
  mine.set(name, { at: now, data });
  // A failed read is forgotten, unless a newer one took its place meanwhile.
  data.catch(() => {
    if (mine.get(name)?.data === data) mine.delete(name);
  });
  return data;
}

/** Sets keys of ConfigMap `name` in dicot-system (creating both when missing). */
export async function writeSystemConfig(gw: KubeClient, name: string, data: Record<string, string>): Promise<void> {
  await ensureNamespace(gw, SYSTEM_NS);
  try {
    await gw.create(R.configMaps, { metadata: { name, namespace: SYSTEM_NS, labels: { ...MANAGED } }, data });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    await gw.patch(R.configMaps, name, { data }, { namespace: SYSTEM_NS, type: 'merge' });
  }
  cache.get(gw)?.delete(name);
}
