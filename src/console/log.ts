import type { ServerRecord } from '../compute/servers.ts';
import { type KubeClient, type KubeObject, R, errorFromResponse } from '../kube/index.ts';

// A server's console output is its guest serial log: KubeVirt writes it to the
// `guest-console-log` container of the VMI's virt-launcher pod (labelled with the VMI's uid),
// read through `pods/log` as the user, so RBAC decides. One LIST, one log read.

export const GUEST_CONSOLE_LOG = 'guest-console-log';

/** The newest live launcher pod of the server's VMI, if any. */
export function launcherPodOf(pods: KubeObject[]): KubeObject | undefined {
  return pods
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')))[0];
}

/** Nova's shape: the last `lines` lines (all when undefined), without a final newline. */
export function tailOutput(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** The console log; undefined when the server has no running launcher pod. */
export async function consoleOutput(kube: KubeClient, s: ServerRecord, lines: number | undefined): Promise<string | undefined> {
  const uid = s.vmi?.metadata.uid;
  if (!uid) return undefined;
  const pods = await kube.list(R.pods, { namespace: s.namespace, labelSelector: `kubevirt.io/created-by=${uid}` });
  const pod = launcherPodOf(pods.items);
  if (!pod) return undefined;
  const q = new URLSearchParams({ container: GUEST_CONSOLE_LOG, ...(lines === undefined ? {} : { tailLines: String(lines) }) });
  const res = await kube.request(`/api/v1/namespaces/${encodeURIComponent(s.namespace)}/pods/${encodeURIComponent(pod.metadata.name as string)}/log?${q}`, { retry: true });
  // A container not started yet answers 400: no output yet, as for a server without a pod.
  if (res.status === 400) return undefined;
  if (!res.ok) throw await errorFromResponse(res);
  return tailOutput(await res.text());
}
