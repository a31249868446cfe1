// The CSI side of storage: a provisioner binding PVCs to new PVs, PV reclaim, the snapshot
// controller making VolumeSnapshots ready, and CDI's DataSource readiness.

import { type KubeObject, R, quantityBytes } from '../../kube/index.ts';
import { defaultStorageClass } from './datavolume.ts';
import type { Controller, Engine, Stage } from './engine.ts';
import type { Condition, DataVolume, Json, Pvc } from './model.ts';
import { failRequested, keyOf, now, nsKey, same, setCondition } from './util.ts';

interface StorageClass extends KubeObject {
  provisioner?: string;
  reclaimPolicy?: string;
}
interface Pv extends KubeObject {
  spec?: Json & { claimRef?: { apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string }; persistentVolumeReclaimPolicy?: string };
  status?: { phase?: string };
}
interface VolumeSnapshot extends KubeObject {
  spec: { source?: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string }; volumeSnapshotClassName?: string };
  status?: Json & { readyToUse?: boolean };
}
interface DataSource extends KubeObject {
  spec?: { source?: { pvc?: { namespace?: string; name: string }; snapshot?: { namespace?: string; name: string } } };
  status?: Json & { conditions?: Condition[] };
}

export function pvcController(engine: Engine): Controller {
  const name = 'pvc-binder';
  const stages: Stage<Pvc>[] = [
    {
      name: 'bind',
      when: (pvc) => !pvc.metadata.deletionTimestamp && pvc.status?.phase !== 'Bound' && !pvc.spec.volumeName,
      delay: (t) => t.pvcBind,
      async apply(pvc) {
        const className = pvc.spec.storageClassName ?? defaultStorageClass(engine);
        const sc = className ? engine.get<StorageClass>(R.storageClasses, nsKey(undefined, className)) : undefined;
        if (!sc) return; // no provisioner: stays Pending, like a PVC for a missing class
        const size = pvc.spec.resources?.requests?.storage ?? '1Gi';
        const pvName = `pvc-${pvc.metadata.uid}`;
        const pv = await engine.client
          .create<Pv>(R.persistentVolumes, {
            metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': sc.provisioner ?? 'unknown' } },
            spec: {
              capacity: { storage: size },
              accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
              volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
              persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
              storageClassName: className,
              claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
              csi: { driver: sc.provisioner, volumeHandle: pvc.metadata.uid, fsType: 'ext4' },
            },
          })
          .catch((e: unknown) => (e instanceof Error && e.name === 'AlreadyExistsError' ? engine.client.get<Pv>(R.persistentVolumes, pvName) : Promise.reject(e)));
        engine.track(R.persistentVolumes, await engine.client.patchStatus<Pv>(R.persistentVolumes, pv.metadata.name!, { status: { phase: 'Bound' } }, { type: 'merge' }));
        const bound = await engine.client.patch<Pvc>(
          R.pvcs,
          pvc.metadata.name!,
          {
            metadata: {
              annotations: {
                'pv.kubernetes.io/bind-completed': 'yes',
                'pv.kubernetes.io/bound-by-controller': 'yes',
                'volume.kubernetes.io/storage-provisioner': sc.provisioner ?? 'unknown',
              },
            },
            spec: { volumeName: pvName, ...(pvc.spec.storageClassName ? {} : { storageClassName: className }) },
          },
          { namespace: pvc.metadata.namespace, type: 'merge' },
        );
        engine.track(
          R.pvcs,
          await engine.client.patchStatus<Pvc>(R.pvcs, bound.metadata.name!, { status: { phase: 'Bound', capacity: { storage: size }, accessModes: bound.spec.accessModes } }, {
            namespace: pvc.metadata.namespace,
            type: 'merge',
          }),
        );
      },
    },
    {
      // The CSI resizer: a bound claim asking for more than it has grows, when its class allows.
      name: 'resize',
      when: (pvc) => {
        if (pvc.metadata.deletionTimestamp || pvc.status?.phase !== 'Bound') return false;
        const want = quantityBytes(pvc.spec.resources?.requests?.storage);
        const have = quantityBytes(pvc.status?.capacity?.storage);
        return want !== undefined && have !== undefined && want > have;
      },
      id: (pvc) => pvc.spec.resources?.requests?.storage ?? '',
      delay: (t) => t.pvcBind,
      async apply(pvc) {
        const className = pvc.spec.storageClassName ?? defaultStorageClass(engine);
        const sc = className ? engine.get<StorageClass & { allowVolumeExpansion?: boolean }>(R.storageClasses, nsKey(undefined, className)) : undefined;
        if (!sc?.allowVolumeExpansion) return; // the resize admission would have refused it
        const size = pvc.spec.resources?.requests?.storage as string;
        if (pvc.spec.volumeName) {
          await engine.client.patch(R.persistentVolumes, pvc.spec.volumeName, { spec: { capacity: { storage: size } } }, { type: 'merge' }).catch(() => undefined);
        }
        engine.track(R.pvcs, await engine.client.patchStatus<Pvc>(R.pvcs, pvc.metadata.name!, { status: { capacity: { storage: size } } }, { namespace: pvc.metadata.namespace, type: 'merge' }));
      },
    },
  ];
  return {
    name,
    type: R.pvcs,
    watches: [{ type: R.storageClasses, keys: () => engine.list<Pvc>(R.pvcs, (p) => p.status?.phase !== 'Bound').map(keyOf) }],
    async reconcile(key) {
      const pvc = engine.get<Pvc>(R.pvcs, key);
      if (pvc) await engine.runStages(name, stages, pvc);
    },
  };
}

/** Deletes (or releases) PVs whose claim is gone, as the PV controller does. */
export function pvReclaimController(engine: Engine): Controller {
  return {
    name: 'pv-reclaim',
    type: R.persistentVolumes,
    watches: [
      {
        type: R.pvcs,
        keys: (pvc) => engine.list<Pv>(R.persistentVolumes, (pv) => pv.spec?.claimRef?.uid === pvc.metadata.uid).map(keyOf),
      },
    ],
    async reconcile(key) {
      const pv = engine.get<Pv>(R.persistentVolumes, key);
      const ref = pv?.spec?.claimRef;
      if (!pv || !ref || pv.metadata.deletionTimestamp) return;
      const pvc = engine.get<Pvc>(R.pvcs, nsKey(ref.namespace, ref.name ?? ''));
      if (pvc && pvc.metadata.uid === ref.uid) return;
      if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') await engine.client.delete(R.persistentVolumes, pv.metadata.name!);
      else if (pv.status?.phase !== 'Released')
        engine.track(R.persistentVolumes, await engine.client.patchStatus(R.persistentVolumes, pv.metadata.name!, { status: { phase: 'Released' } }, { type: 'merge' }));
    },
  };
}

export function snapshotController(engine: Engine): Controller {
  const name = 'volumesnapshot';
  const patchStatus = async (vs: VolumeSnapshot, status: Json) =>
    engine.track(
      R.volumeSnapshots,
      await engine.client.patchStatus<VolumeSnapshot>(R.volumeSnapshots, vs.metadata.name!, { status }, { namespace: vs.metadata.namespace, type: 'merge' }),
    );
  const stages: Stage<VolumeSnapshot>[] = [
    {
      name: 'ready',
      when: (vs) => !vs.metadata.deletionTimestamp && vs.status?.readyToUse !== true && !vs.status?.error,
      delay: (t) => t.snapshotReady,
      async apply(vs) {
        const claim = vs.spec.source?.persistentVolumeClaimName;
        const pvc = claim ? engine.get<Pvc>(R.pvcs, nsKey(vs.metadata.namespace, claim)) : undefined;
        if (failRequested(vs) || !pvc || pvc.status?.phase !== 'Bound') {
          const message = failRequested(vs)
            ? 'Failed to create snapshot: sandbox fault injection'
            : `Failed to create snapshot: failed to get input parameters to create snapshot for content snapcontent-${vs.metadata.uid}: "cannot get claim from snapshot"`;
          if (pvc && !failRequested(vs)) return; // source still binding: wait for its event
          await patchStatus(vs, { readyToUse: false, error: { message, time: now() } });
          return;
        }
        const contentName = `snapcontent-${vs.metadata.uid}`;
        const size = pvc.status?.capacity?.storage ?? pvc.spec.resources?.requests?.storage;
        const pv = pvc.spec.volumeName ? engine.get<Pv>(R.persistentVolumes, nsKey(undefined, pvc.spec.volumeName)) : undefined;
        const className =
          vs.spec.volumeSnapshotClassName ??
          engine.list(R.volumeSnapshotClasses).find((c) => c.metadata.annotations?.['snapshot.storage.kubernetes.io/is-default-class'] === 'true')?.metadata.name;
        const content = await engine.client
          .create(R.volumeSnapshotContents, {
            metadata: { name: contentName },
            spec: {
              deletionPolicy: 'Delete',
              driver: (pv?.spec?.csi as Json | undefined)?.driver ?? 'csi.sandbox.dicot.io',
              source: { volumeHandle: pvc.metadata.uid },
              volumeSnapshotClassName: className,
              volumeSnapshotRef: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', namespace: vs.metadata.namespace, name: vs.metadata.name, uid: vs.metadata.uid },
            },
          } as KubeObject)
          .catch((e: unknown) => (e instanceof Error && e.name === 'AlreadyExistsError' ? undefined : Promise.reject(e)));
        if (content) {
          await engine.client.patchStatus(R.volumeSnapshotContents, contentName, { status: { readyToUse: true, snapshotHandle: `snap-${vs.metadata.uid}`, creationTime: Date.now() * 1e6 } }, { type: 'merge' });
        }
        await patchStatus(vs, { boundVolumeSnapshotContentName: contentName, creationTime: now(), readyToUse: true, restoreSize: size });
      },
    },
  ];
  return {
    name,
    type: R.volumeSnapshots,
    watches: [{ type: R.pvcs, keys: (pvc) => engine.list<VolumeSnapshot>(R.volumeSnapshots, (vs) => vs.metadata.namespace === pvc.metadata.namespace).map(keyOf) }],
    async reconcile(key) {
      const vs = engine.get<VolumeSnapshot>(R.volumeSnapshots, key);
      if (vs) await engine.runStages(name, stages, vs);
    },
  };
}

/** Deletes VolumeSnapshotContents whose VolumeSnapshot is gone (deletionPolicy Delete). */
export function snapshotContentController(engine: Engine): Controller {
  return {
    name: 'volumesnapshotcontent',
    type: R.volumeSnapshotContents,
    watches: [{ type: R.volumeSnapshots, keys: () => [...engine.cache(R.volumeSnapshotContents).keys()] }],
    async reconcile(key) {
      const c = engine.get<KubeObject & { spec?: { deletionPolicy?: string; volumeSnapshotRef?: { namespace?: string; name?: string; uid?: string } } }>(R.volumeSnapshotContents, key);
      const ref = c?.spec?.volumeSnapshotRef;
      if (!c || !ref || c.spec?.deletionPolicy !== 'Delete' || c.metadata.deletionTimestamp) return;
      const vs = engine.get(R.volumeSnapshots, nsKey(ref.namespace, ref.name ?? ''));
      if (!vs || vs.metadata.uid !== ref.uid) await engine.client.delete(R.volumeSnapshotContents, c.metadata.name!);
    },
  };
}

export function dataSourceController(engine: Engine): Controller {
  return {
    name: 'datasource',
    type: R.dataSources,
    watches: [R.pvcs, R.dataVolumes, R.volumeSnapshots].map((type) => ({
      type,
      keys: (o: KubeObject) => engine.list<DataSource>(R.dataSources).filter((ds) => refersTo(ds, o)).map(keyOf),
    })),
    async reconcile(key) {
      const ds = engine.get<DataSource>(R.dataSources, key);
      if (!ds || ds.metadata.deletionTimestamp) return;
      const src = ds.spec?.source ?? {};
      let ready: Condition;
      if (src.pvc) {
        const k = nsKey(src.pvc.namespace ?? ds.metadata.namespace, src.pvc.name);
        const pvc = engine.get<Pvc>(R.pvcs, k);
        const dv = engine.get<DataVolume>(R.dataVolumes, k);
        ready = !pvc
          ? { type: 'Ready', status: 'False', reason: 'NotFound', message: 'Source PVC not found' }
          : dv && dv.status?.phase !== 'Succeeded'
            ? { type: 'Ready', status: 'False', reason: dv.status?.phase ?? 'Pending', message: 'Source DataVolume is not ready' }
            : { type: 'Ready', status: 'True', reason: 'Ready', message: 'DataSource is ready to be consumed' };
      } else if (src.snapshot) {
        const vs = engine.get<VolumeSnapshot>(R.volumeSnapshots, nsKey(src.snapshot.namespace ?? ds.metadata.namespace, src.snapshot.name));
        ready = vs?.status?.readyToUse
          ? { type: 'Ready', status: 'True', reason: 'Ready', message: 'DataSource is ready to be consumed' }
          : { type: 'Ready', status: 'False', reason: vs ? 'SnapshotNotReady' : 'NotFound', message: vs ? 'Source snapshot is not ready' : 'Source snapshot not found' };
      } else {
        ready = { type: 'Ready', status: 'False', reason: 'NoSource', message: 'No source PVC set' };
      }
      const current = ds.status?.conditions?.find((c) => c.type === 'Ready');
      if (current && current.status === ready.status && current.reason === ready.reason && same(ds.status?.source, src)) return;
      const status = { source: src, conditions: setCondition(ds.status?.conditions, ready) };
      engine.track(R.dataSources, await engine.client.patchStatus(R.dataSources, ds.metadata.name!, { status }, { namespace: ds.metadata.namespace, type: 'merge' }));
    },
  };
}

function refersTo(ds: DataSource, o: KubeObject): boolean {
  const s = ds.spec?.source?.pvc ?? ds.spec?.source?.snapshot;
  return !!s && s.name === o.metadata.name && (s.namespace ?? ds.metadata.namespace) === o.metadata.namespace;
}
