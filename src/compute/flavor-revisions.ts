import { sha256Hex } from '../core/names.ts';
import { AlreadyExistsError, type KubeClient, type KubeObject, NotFoundError, R } from '../kube/index.ts';
import { MANAGED, type VirtualMachine, vmOwnerRef } from './model.ts';

// KubeVirt sizes a VM from a copy of its instancetype kept in a ControllerRevision when
// `spec.instancetype.revisionName` names one. A resize keeps such a copy of the flavor it
// leaves (owned by the VM), so revertResize restores that size even when the flavor was
// deleted meanwhile, as Nova keeps the old flavor with the instance.

interface Instancetype extends KubeObject {
  spec?: unknown;
}

const KIND = 'VirtualMachineClusterInstancetype';
const VERSION = 'v1beta1';

/**
 * Pure: the labels KubeVirt puts on (and checks of) an instancetype revision. Without
 * `object-version` at its latest, KubeVirt replaces the revision with its own and deletes it,
 * leaving a `revisionName` that names nothing.
 */
export function revisionLabels(it: Instancetype): Record<string, string> {
  return {
    'instancetype.kubevirt.io/object-kind': KIND,
    'instancetype.kubevirt.io/object-name': it.metadata.name ?? '',
    'instancetype.kubevirt.io/object-uid': it.metadata.uid ?? '',
    'instancetype.kubevirt.io/object-generation': String(it.metadata.generation ?? 1),
    'instancetype.kubevirt.io/object-version': VERSION,
  };
}

/** Pure: the ControllerRevision holding a copy of `it` (an instancetype object) for `vm`. */
export function flavorRevision(vm: VirtualMachine, it: Instancetype, name: string): KubeObject & { data: Instancetype; revision: number } {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name, namespace: vm.metadata.namespace, labels: { ...MANAGED, ...revisionLabels(it) }, ownerReferences: [{ ...vmOwnerRef(vm), controller: true }] },
    data: { apiVersion: `instancetype.kubevirt.io/${VERSION}`, kind: KIND, metadata: { name: it.metadata.name, uid: it.metadata.uid, generation: it.metadata.generation ?? 1 }, spec: it.spec },
    revision: 1,
  };
}

const copyPrefix = (vm: VirtualMachine) => `${vm.metadata.name}-flavor-`;

/** Pure: the revision KubeVirt sizes the VM from now, when it names one. */
export function runningRevision(vm: VirtualMachine): string | undefined {
  const ref = vm.spec.instancetype;
  const status = vm.status?.instancetypeRef as { name?: string; controllerRevisionRef?: { name?: string } } | undefined;
  return ref?.revisionName ?? (status?.name === ref?.name ? status?.controllerRevisionRef?.name : undefined);
}

/**
 * Keeps a copy of the VM's current flavor: the revision's name, or undefined when there is
 * nothing to copy. The source is the copy KubeVirt sizes the VM from (it outlives a deleted
 * flavor), else the instancetype; a VM already running from one of Dicot's copies keeps it.
 */
export async function keepFlavor(gw: KubeClient, vm: VirtualMachine): Promise<string | undefined> {
  const ref = vm.spec.instancetype;
  if (!ref) return undefined;
  const running = runningRevision(vm);
  if (running?.startsWith(copyPrefix(vm))) return running;
  const notFound = (e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e));
  const stash = running ? await gw.get<KubeObject & { data?: Instancetype }>(R.controllerRevisions, running, { namespace: vm.metadata.namespace }).catch(notFound) : undefined;
  const it = stash?.data?.spec ? stash.data : await gw.get<Instancetype>(R.clusterInstancetypes, ref.name).catch(notFound);
  if (!it) return undefined;
  // Named after the exact version copied: a retried resize finds its copy.
  const name = `${copyPrefix(vm)}${await sha256Hex(`${it.metadata.uid}/${stash?.metadata.name ?? it.metadata.resourceVersion}`, 4)}`;
  await gw.create(R.controllerRevisions, flavorRevision(vm, it, name)).catch((e: unknown) => (e instanceof AlreadyExistsError ? undefined : Promise.reject(e)));
  return name;
}

/** Whether the flavor (instancetype) `name` still exists. */
export async function flavorExists(gw: KubeClient, name: string): Promise<boolean> {
  return gw.get(R.clusterInstancetypes, name).then(
    () => true,
    (e: unknown) => (e instanceof NotFoundError ? false : Promise.reject(e)),
  );
}

/** A copy no longer needed (the resize was confirmed); one the VM runs from stays. */
export async function dropFlavorCopy(gw: KubeClient, vm: VirtualMachine, name: string | undefined): Promise<void> {
  if (!name || vm.spec.instancetype?.revisionName === name) return;
  await gw.delete(R.controllerRevisions, name, { namespace: vm.metadata.namespace }).catch(() => {});
}
