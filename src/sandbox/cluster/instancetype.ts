// Instancetype and preference handling: the admission check KubeVirt's webhook applies to a
// VM, the copy of its instancetype virt-controller keeps for it, and the expansion it applies
// when it builds the VMI.

import { AlreadyExistsError, type KubeClient, type KubeObject, NotFoundError, R, type StatusCause } from '../../kube/index.ts';
import type { Json, VirtualMachine, VmiSpec } from './model.ts';
import { controllerRef } from './util.ts';

interface InstancetypeSpec {
  cpu?: { guest?: number; model?: string; dedicatedCPUPlacement?: boolean };
  memory?: { guest?: string; hugepages?: Json; maxGuest?: string };
  nodeSelector?: Record<string, string>;
}
interface PreferenceSpec {
  cpu?: { preferredCPUTopology?: string };
}

/**
 * The conflicts KubeVirt's VM admission webhook rejects (pkg/instancetype/apply/cpu.go,
 * memory.go): with `spec.instancetype`, the template may not set CPU topology, CPU or memory
 * resources, or guest memory. Returns the causes of a 422, empty when the VM is acceptable.
 */
export function instancetypeConflicts(vm: VirtualMachine): StatusCause[] {
  if (!vm.spec?.instancetype) return [];
  const domain = vm.spec.template?.spec?.domain ?? {};
  const base = 'spec.template.spec.domain';
  const fields: [unknown, string][] = [
    [domain.cpu?.sockets, `${base}.cpu.sockets`],
    [domain.cpu?.cores, `${base}.cpu.cores`],
    [domain.cpu?.threads, `${base}.cpu.threads`],
    [domain.resources?.requests?.cpu, `${base}.resources.requests.cpu`],
    [domain.resources?.limits?.cpu, `${base}.resources.limits.cpu`],
    [domain.memory?.guest, `${base}.memory.guest`],
    [domain.resources?.requests?.memory, `${base}.resources.requests.memory`],
    [domain.resources?.limits?.memory, `${base}.resources.limits.memory`],
  ];
  const conflicting = fields.filter(([v]) => v !== undefined).map(([, f]) => f);
  if (conflicting.length === 0) return [];
  return [
    {
      reason: 'FieldValueInvalid',
      field: conflicting[0],
      message: `VM field(s) ${conflicting.join(', ')} conflicts with selected instance type`,
    },
  ];
}

/**
 * The ControllerRevision a VM's instancetype is read from (KubeVirt's referencePolicy
 * `reference`): `spec.instancetype.revisionName` when set, else a copy made the first time the
 * VM names that instancetype, kept in status.instancetypeRef so later changes to (or the
 * deletion of) the instancetype do not resize the VM. Undefined when there is nothing to copy.
 */
export async function instancetypeRevision(client: KubeClient, vm: VirtualMachine): Promise<string | undefined> {
  const ref = vm.spec.instancetype;
  if (!ref) return undefined;
  if (ref.revisionName) return ref.revisionName;
  const kind = ref.kind ?? 'VirtualMachineClusterInstancetype';
  const known = vm.status?.instancetypeRef as { name?: string; kind?: string; controllerRevisionRef?: { name?: string } } | undefined;
  if (known?.name === ref.name && known.kind === kind && known.controllerRevisionRef?.name) return known.controllerRevisionRef.name;
  const ns = vm.metadata.namespace;
  const type = kind === 'VirtualMachineInstancetype' ? R.instancetypes : R.clusterInstancetypes;
  const it = await client.get<KubeObject & { spec?: unknown }>(type, ref.name, { namespace: ns }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
  if (!it) return undefined;
  const generation = it.metadata.generation ?? 1;
  // KubeVirt's name and labels (pkg/instancetype/revision): the labels say which object and
  // version the copy holds.
  const name = `${vm.metadata.name}-${it.metadata.name}-v1beta1-${it.metadata.uid}-${generation}`;
  const labels = {
    'instancetype.kubevirt.io/object-kind': kind,
    'instancetype.kubevirt.io/object-name': it.metadata.name ?? '',
    'instancetype.kubevirt.io/object-uid': it.metadata.uid ?? '',
    'instancetype.kubevirt.io/object-generation': String(generation),
    'instancetype.kubevirt.io/object-version': 'v1beta1',
  };
  await client
    .create(R.controllerRevisions, {
      metadata: { name, namespace: ns, labels, ownerReferences: [controllerRef(R.virtualMachines, vm)] },
      data: { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind, metadata: { name: it.metadata.name, uid: it.metadata.uid, generation }, spec: it.spec },
      revision: 1,
    } as KubeObject)
    .catch((e: unknown) => (e instanceof AlreadyExistsError ? undefined : Promise.reject(e)));
  return name;
}

async function fromRevision(client: KubeClient, namespace: string | undefined, name: string): Promise<{ spec: InstancetypeSpec }> {
  const rev = await client.get<KubeObject & { data?: { spec?: InstancetypeSpec } }>(R.controllerRevisions, name, { namespace });
  // KubeVirt replaces a revision not labelled with the latest object version (and deletes it).
  if (rev.metadata.labels?.['instancetype.kubevirt.io/object-version'] !== 'v1beta1') throw new Error(`ControllerRevision ${name} is not labelled instancetype.kubevirt.io/object-version=v1beta1`);
  if (!rev.data?.spec) throw new Error(`ControllerRevision ${name} holds no instancetype`);
  return { spec: rev.data.spec };
}

/** The VMI spec for a VM: the template with its instancetype and preference applied. */
export async function expandSpec(client: KubeClient, vm: VirtualMachine, revision?: string): Promise<VmiSpec> {
  const spec: VmiSpec = structuredClone(vm.spec.template?.spec ?? {});
  const ns = vm.metadata.namespace;
  const itRef = vm.spec.instancetype;
  if (!itRef) return spec;
  const itType = itRef.kind === 'VirtualMachineInstancetype' ? R.instancetypes : R.clusterInstancetypes;
  // The VM's copy of its instancetype, whether or not the instancetype still exists.
  const copy = revision ?? itRef.revisionName;
  const it = copy ? await fromRevision(client, ns, copy) : await client.get<{ spec: InstancetypeSpec }>(itType, itRef.name, { namespace: ns });
  let topology = 'sockets';
  if (vm.spec.preference) {
    const pType = vm.spec.preference.kind === 'VirtualMachinePreference' ? R.preferences : R.clusterPreferences;
    const pref = await client.get<{ spec: PreferenceSpec }>(pType, vm.spec.preference.name, { namespace: ns });
    topology = pref.spec.cpu?.preferredCPUTopology?.replace(/^prefer/, '').toLowerCase() || 'sockets';
  }
  const guest = it.spec.cpu?.guest ?? 1;
  spec.domain ??= {};
  const domain = spec.domain;
  const cpu = { cores: 1, sockets: 1, threads: 1, ...(domain.cpu ?? {}) };
  if (topology === 'cores') cpu.cores = guest;
  else if (topology === 'threads') cpu.threads = guest;
  else cpu.sockets = guest;
  if (it.spec.cpu?.model) (cpu as Json).model = it.spec.cpu.model;
  if (it.spec.cpu?.dedicatedCPUPlacement) (cpu as Json).dedicatedCpuPlacement = true;
  domain.cpu = cpu;
  domain.memory = { ...(domain.memory ?? {}), guest: it.spec.memory?.guest };
  if (it.spec.memory?.hugepages) domain.memory.hugepages = it.spec.memory.hugepages;
  if (it.spec.nodeSelector) spec.nodeSelector = { ...it.spec.nodeSelector, ...(spec.nodeSelector ?? {}) };
  return spec;
}
