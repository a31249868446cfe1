import { badRequest, conflict, notFound } from '../core/faults.ts';
import { ConflictError, type KubeClient, R } from '../kube/index.ts';
import { ATTACH_CLAIMS, ATTACH_DELETE, ATTACH_DEVICES, ATTACH_TIMES, type DataVolume, StringMap, type VolumeRecord } from '../volume/model.ts';
import { type VirtualMachine, vmOwnerRef } from './model.ts';
import type { ServerRecord } from './servers.ts';

// A volume attached to a server is a PVC volume in the VM's spec, added and removed through
// KubeVirt's `addvolume` / `removevolume` VM subresources: a hotplug while the VM runs, a
// spec change (applied at next start) while it is stopped. The device name Nova reports and
// the attach time are annotations on the VM, keyed by volume id. `delete_on_termination`
// (2.79) makes the VM an owner of the volume's DataVolume, so deleting the server deletes it
// (Kubernetes garbage collection, as for a volume-booted root); detaching gives it back.

export interface VolumeAttachment {
  volumeId: string;
  serverId: string;
  device: string | null;
  /** The VM volume (and disk) name. */
  name: string;
  hotpluggable: boolean;
  deleteOnTermination: boolean;
}

const SUB = { group: 'subresources.kubevirt.io', version: 'v1' };

/** Pure: the attachments of a VM, for the volumes among `volumes` (by PVC name). */
export function attachmentsOf(vm: VirtualMachine, serverId: string, volumes: VolumeRecord[]): VolumeAttachment[] {
  const byClaim = new Map(volumes.filter((v) => v.namespace === vm.metadata.namespace).map((v) => [v.object, v]));
  const devices = StringMap(vm.metadata.annotations?.[ATTACH_DEVICES]);
  const deleted = StringMap(vm.metadata.annotations?.[ATTACH_DELETE]);
  const out: VolumeAttachment[] = [];
  for (const vol of vm.spec.template?.spec?.volumes ?? []) {
    const claim = vol.persistentVolumeClaim?.claimName ?? vol.dataVolume?.name;
    const v = claim ? byClaim.get(claim) : undefined;
    if (!v) continue;
    out.push({
      volumeId: v.id,
      serverId,
      device: devices[v.id] ?? null,
      name: vol.name,
      hotpluggable: !!(vol.persistentVolumeClaim?.hotpluggable ?? vol.dataVolume?.hotpluggable),
      deleteOnTermination: deleted[v.id] === 'true',
    });
  }
  return out;
}

/** Pure: the next free device (`/dev/sdb`, ...): hotplugged disks sit on the SCSI bus. */
export function nextDevice(used: string[]): string {
  for (let i = 1; i < 26; i++) {
    const d = `/dev/sd${String.fromCharCode(97 + i)}`;
    if (!used.includes(d)) return d;
  }
  throw badRequest('No free device name is left on this server.');
}


export interface AttachOptions {
  /** The device the caller asked to see (Cinder's mountpoint); else the next free one. */
  device?: string | undefined;
  /** Nova's delete_on_termination (2.79): the volume goes with the server. */
  deleteOnTermination?: boolean;
}

/** Attaches `v` to the server. */
export async function attachVolume(kube: KubeClient, s: ServerRecord, vm: VirtualMachine, v: VolumeRecord, current: VolumeAttachment[], opts: AttachOptions = {}): Promise<VolumeAttachment> {
  const requested = opts.device;
  const deleteOnTermination = opts.deleteOnTermination === true;
  if (v.namespace !== s.namespace) throw notFound(`Volume ${v.id} could not be found.`);
  // Nova's InvalidVolume (400) for the same volume on the same server.
  if (current.some((a) => a.volumeId === v.id) || v.attachments.some((a) => a.serverId === s.id)) throw badRequest(`Invalid volume: volume ${v.id} already attached`);
  if (v.status !== 'available') throw badRequest(`Invalid volume: volume ${v.id} status must be 'available'. Currently in '${v.status}'`);
  const devices = StringMap(vm.metadata.annotations?.[ATTACH_DEVICES]);
  const device = requested && !Object.values(devices).includes(requested) ? requested : nextDevice(Object.values(devices));
  try {
    await kube.subresource('PUT', R.virtualMachines, s.object, 'addvolume', {
      ...SUB,
      namespace: s.namespace,
      body: { name: v.object, disk: { name: v.object, disk: { bus: 'scsi' } }, volumeSource: { persistentVolumeClaim: { claimName: v.object, hotpluggable: true } } },
    });
  } catch (e) {
    if (e instanceof ConflictError) throw conflict(`volume ${v.id} already attached`);
    throw e;
  }
  const times = StringMap(vm.metadata.annotations?.[ATTACH_TIMES]);
  const claims = StringMap(vm.metadata.annotations?.[ATTACH_CLAIMS]);
  const deleted = StringMap(vm.metadata.annotations?.[ATTACH_DELETE]);
  if (deleteOnTermination) deleted[v.id] = 'true';
  const annotations = {
    [ATTACH_DEVICES]: JSON.stringify({ ...devices, [v.id]: device }),
    [ATTACH_TIMES]: JSON.stringify({ ...times, [v.id]: new Date().toISOString() }),
    [ATTACH_CLAIMS]: JSON.stringify({ ...claims, [v.object]: v.id }),
    [ATTACH_DELETE]: JSON.stringify(deleted),
  };
  await kube.patch(R.virtualMachines, s.object, { metadata: { annotations } }, { namespace: s.namespace, type: 'merge' });
  if (deleteOnTermination) await setVmOwner(kube, vm, v, true);
  return { volumeId: v.id, serverId: s.id, device, name: v.object, hotpluggable: true, deleteOnTermination };
}

/** Adds or removes the VM among the owners of the volume's DataVolume (its other owners kept). */
async function setVmOwner(kube: KubeClient, vm: VirtualMachine, v: { namespace: string; object: string }, owned: boolean): Promise<void> {
  const dv = await kube.get<DataVolume>(R.dataVolumes, v.object, { namespace: v.namespace });
  const others = (dv.metadata.ownerReferences ?? []).filter((o) => o.uid !== vm.metadata.uid);
  const ownerReferences = owned ? [...others, vmOwnerRef(vm)] : others;
  await kube.patch(R.dataVolumes, v.object, { metadata: { resourceVersion: dv.metadata.resourceVersion, ownerReferences } }, { namespace: v.namespace, type: 'merge' });
}

export async function detachVolume(kube: KubeClient, s: ServerRecord, vm: VirtualMachine, a: VolumeAttachment): Promise<void> {
  if (!a.hotpluggable) throw badRequest(`Cannot detach a root device volume`);
  await kube.subresource('PUT', R.virtualMachines, s.object, 'removevolume', { ...SUB, namespace: s.namespace, body: { name: a.name } });
  const devices = StringMap(vm.metadata.annotations?.[ATTACH_DEVICES]);
  const times = StringMap(vm.metadata.annotations?.[ATTACH_TIMES]);
  const claims = StringMap(vm.metadata.annotations?.[ATTACH_CLAIMS]);
  const deleted = StringMap(vm.metadata.annotations?.[ATTACH_DELETE]);
  // A detached volume outlives the server again.
  if (a.deleteOnTermination) await setVmOwner(kube, vm, { namespace: s.namespace, object: a.name }, false);
  delete devices[a.volumeId];
  delete times[a.volumeId];
  delete claims[a.name];
  delete deleted[a.volumeId];
  const annotations = {
    [ATTACH_DEVICES]: JSON.stringify(devices),
    [ATTACH_TIMES]: JSON.stringify(times),
    [ATTACH_CLAIMS]: JSON.stringify(claims),
    [ATTACH_DELETE]: JSON.stringify(deleted),
  };
  await kube.patch(R.virtualMachines, s.object, { metadata: { annotations } }, { namespace: s.namespace, type: 'merge' });
}
