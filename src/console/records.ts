import { MANAGED } from '../compute/model.ts';
import { type KubeClient, type KubeObject, NotFoundError, R } from '../kube/index.ts';
import type { ConsoleClaims } from './token.ts';

// Single use without a database: every issued console token is recorded as a small ConfigMap
// in the server's namespace, owned by the VM (deleting the server removes it). The proxy
// DELETEs the record before it connects; the API server lets exactly one DELETE of an object
// succeed, so a second use of the token, on any replica, finds nothing and is refused.

export const TOKEN_LABEL = 'console.openstack.dicot.io/token';
const EXPIRES = 'console.openstack.dicot.io/expires';

export const recordName = (jti: string) => `dicot-console-${jti}`;

export function tokenRecord(claims: ConsoleClaims, vmUid: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: recordName(claims.jti),
      namespace: claims.ns,
      labels: { ...MANAGED, [TOKEN_LABEL]: claims.kind },
      annotations: { [EXPIRES]: String(claims.exp) },
      ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: claims.vm, uid: vmUid }],
    },
    data: { server: claims.server, user: claims.sub },
  } as KubeObject;
}

/** Records a new token and, alongside, removes this namespace's records that expired unused. */
export async function recordToken(kube: KubeClient, claims: ConsoleClaims, vmUid: string, nowMs: number): Promise<void> {
  await Promise.all([kube.create(R.configMaps, tokenRecord(claims, vmUid)), sweepExpired(kube, claims.ns, nowMs)]);
}

async function sweepExpired(kube: KubeClient, namespace: string, nowMs: number): Promise<void> {
  const list = await kube.list(R.configMaps, { namespace, labelSelector: TOKEN_LABEL });
  const expired = list.items.filter((o) => Number(o.metadata?.annotations?.[EXPIRES] ?? 0) * 1000 < nowMs);
  await Promise.all(
    expired.map((o) =>
      kube.delete(R.configMaps, o.metadata?.name as string, { namespace, preconditions: { uid: o.metadata?.uid as string } }).catch(() => undefined),
    ),
  );
}

/** True for the first use of a token only. */
export async function consumeToken(kube: KubeClient, claims: ConsoleClaims): Promise<boolean> {
  try {
    await kube.delete(R.configMaps, recordName(claims.jti), { namespace: claims.ns });
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}

/** Whether a token is still unused (admins' connection-info lookup; does not consume it). */
export async function tokenUnused(kube: KubeClient, claims: ConsoleClaims): Promise<boolean> {
  try {
    await kube.get(R.configMaps, recordName(claims.jti), { namespace: claims.ns });
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}
