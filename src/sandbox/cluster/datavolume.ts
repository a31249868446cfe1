// CDI's DataVolume controller: a PVC of the same name owned by the DV, then import / clone /
// upload phases with progress, as stages. An http source is reached (its bytes are not kept).

import { type KubeObject, R } from '../../kube/index.ts';
import type { Controller, Engine, Stage } from './engine.ts';
import type { Condition, DataVolume, Json, Pvc } from './model.ts';
import { controllerRef, failRequested, keyOf, nsKey, setCondition } from './util.ts';

/** Set on the PVC by the upload server (here: whoever serves the upload proxy) when done. */
export const POD_PHASE_ANNOTATION = 'cdi.kubevirt.io/storage.pod.phase';

interface StorageClass extends KubeObject {
  provisioner?: string;
}
interface DataSource extends KubeObject {
  spec?: { source?: { pvc?: { namespace?: string; name: string }; snapshot?: { namespace?: string; name: string } } };
}
interface VolumeSnapshot extends KubeObject {
  status?: { readyToUse?: boolean; restoreSize?: string };
}

type Kind = 'import' | 'clone' | 'snapshot' | 'upload';

export function defaultStorageClass(engine: Engine): string | undefined {
  const classes = engine.list<StorageClass>(R.storageClasses);
  return (
    classes.find((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true') ?? classes[0]
  )?.metadata.name;
}

export function dataVolumeController(engine: Engine): Controller {
  const name = 'datavolume';
  const t = engine.timing;

  /** The source after following a DataSource sourceRef. */
  function source(dv: DataVolume): DataVolume['spec']['source'] {
    const ref = dv.spec.sourceRef;
    if (!ref) return dv.spec.source;
    const ds = engine.get<DataSource>(R.dataSources, nsKey(ref.namespace ?? dv.metadata.namespace, ref.name));
    return ds?.spec?.source ?? {};
  }
  function kindOf(dv: DataVolume): Kind {
    const s = source(dv) ?? {};
    if (s.pvc) return 'clone';
    if (s.snapshot) return 'snapshot';
    if (s.upload) return 'upload';
    return 'import';
  }
  /** A clone's source must exist (and a snapshot be ready) before the clone starts. */
  function sourcePvc(dv: DataVolume): Pvc | undefined {
    const s = source(dv)?.pvc;
    return s ? engine.get<Pvc>(R.pvcs, nsKey(s.namespace ?? dv.metadata.namespace, s.name)) : undefined;
  }
  function sourceSnapshot(dv: DataVolume): VolumeSnapshot | undefined {
    const s = source(dv)?.snapshot;
    return s ? engine.get<VolumeSnapshot>(R.volumeSnapshots, nsKey(s.namespace ?? dv.metadata.namespace, s.name)) : undefined;
  }
  function sourceReady(dv: DataVolume): boolean {
    switch (kindOf(dv)) {
      case 'clone':
        return sourcePvc(dv)?.status?.phase === 'Bound';
      case 'snapshot':
        return sourceSnapshot(dv)?.status?.readyToUse === true;
      default:
        return !dv.spec.sourceRef || !!engine.get(R.dataSources, nsKey(dv.spec.sourceRef.namespace ?? dv.metadata.namespace, dv.spec.sourceRef.name));
    }
  }
  const pvcOf = (dv: DataVolume) => engine.get<Pvc>(R.pvcs, keyOf(dv));
  const phase = (dv: DataVolume) => dv.status?.phase ?? '';
  const percent = (dv: DataVolume) => Number.parseFloat(dv.status?.progress ?? '0') || 0;

  const patchStatus = async (dv: DataVolume, status: Json) =>
    engine.track(
      R.dataVolumes,
      await engine.client.patchStatus<DataVolume>(R.dataVolumes, dv.metadata.name!, { status }, { namespace: dv.metadata.namespace, type: 'merge' }),
    );
  const conds = (dv: DataVolume, ...cs: Condition[]) => cs.reduce((acc, c) => setCondition(acc, c), dv.status?.conditions);

  async function createPvc(dv: DataVolume): Promise<void> {
    const req = dv.spec.storage ?? dv.spec.pvc ?? {};
    const size =
      req.resources?.requests?.storage ?? sourcePvc(dv)?.status?.capacity?.storage ?? sourceSnapshot(dv)?.status?.restoreSize ?? '1Gi';
    const pvc = await engine.client.create<Pvc>(R.pvcs, {
      metadata: {
        name: dv.metadata.name,
        namespace: dv.metadata.namespace,
        labels: { ...(dv.metadata.labels ?? {}), app: 'containerized-data-importer', 'app.kubernetes.io/component': 'storage' },
        annotations: { 'cdi.kubevirt.io/storage.contentType': dv.spec.contentType ?? 'kubevirt', 'cdi.kubevirt.io/createdForDataVolume': dv.metadata.uid! },
        ownerReferences: [controllerRef(R.dataVolumes, dv)],
      },
      spec: {
        accessModes: req.accessModes ?? ['ReadWriteOnce'],
        volumeMode: req.volumeMode ?? 'Filesystem',
        storageClassName: req.storageClassName ?? defaultStorageClass(engine),
        resources: { requests: { storage: size } },
      },
    });
    engine.track(R.pvcs, pvc);
  }

  /** Why an http import cannot work: `.invalid` hosts (RFC 2606), or a source that does not answer 200. */
  async function importError(dv: DataVolume): Promise<string | undefined> {
    if (failRequested(dv)) return 'Unable to process data: sandbox fault injection';
    const url = source(dv)?.http?.url;
    if (!url) return undefined;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `Unable to connect to http data source: invalid URL ${url}`;
    }
    if (u.hostname === 'invalid' || u.hostname.endsWith('.invalid'))
      return `Unable to connect to http data source: dial tcp: lookup ${u.hostname}: no such host`;
    // Link-local addresses (cloud metadata services) are never fetched on a user's behalf.
    if (/^(169\.254\.|\[fe80:)/i.test(u.hostname)) return `Unable to connect to http data source: ${u.hostname} is a link-local address`;
    // Like CDI's importer, reach the source: an unknown host or an error status fails the import.
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e as Error);
    if (res instanceof Error) return `Unable to connect to http data source: ${(res.cause as { code?: string } | undefined)?.code ?? res.message}`;
    await res.body?.cancel();
    if (!res.ok) return `Unable to connect to http data source: expected status code 200, got ${res.status}`;
    return undefined;
  }

  const startPhase: Record<Kind, [string, string]> = {
    import: ['ImportScheduled', 'ImportInProgress'],
    clone: ['CloneScheduled', 'CloneInProgress'],
    snapshot: ['CloneScheduled', 'CloneFromSnapshotSourceInProgress'],
    upload: ['UploadScheduled', 'UploadReady'],
  };
  const inProgress = new Set(['ImportInProgress', 'CloneInProgress', 'CloneFromSnapshotSourceInProgress']);
  const live = (dv: DataVolume) => !dv.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(phase(dv));

  const stages: Stage<DataVolume>[] = [
    {
      name: 'claim',
      when: (dv) => live(dv) && (!pvcOf(dv) || phase(dv) === ''),
      delay: () => 0,
      async apply(dv) {
        if (!pvcOf(dv)) await createPvc(dv);
        if (phase(dv) === '')
          await patchStatus(dv, {
            phase: 'Pending',
            claimName: dv.metadata.name,
            progress: 'N/A',
            conditions: conds(
              dv,
              { type: 'Bound', status: 'False', reason: 'Pending', message: 'PVC Pending' },
              { type: 'Ready', status: 'False' },
              { type: 'Running', status: 'False' },
            ),
          });
      },
    },
    {
      name: 'schedule',
      when: (dv) => live(dv) && phase(dv) === 'Pending' && pvcOf(dv)?.status?.phase === 'Bound' && sourceReady(dv),
      delay: (t) => t.dvSchedule,
      apply: (dv) =>
        patchStatus(dv, {
          phase: startPhase[kindOf(dv)][0],
          conditions: conds(dv, { type: 'Bound', status: 'True', reason: 'Bound', message: `PVC ${dv.metadata.name} Bound` }),
        }).then(() => {}),
    },
    {
      name: 'start',
      when: (dv) => live(dv) && Object.values(startPhase).some(([s]) => s === phase(dv)),
      delay: () => 0,
      async apply(dv) {
        const kind = kindOf(dv);
        const error = kind === 'import' ? await importError(dv) : failRequested(dv) ? 'sandbox fault injection' : undefined;
        if (error) {
          await patchStatus(dv, {
            phase: 'Failed',
            conditions: conds(dv, { type: 'Running', status: 'False', reason: 'Error', message: error }, { type: 'Ready', status: 'False', reason: 'Error', message: error }),
          });
          return;
        }
        const next = startPhase[kind][1];
        await patchStatus(dv, {
          phase: next,
          progress: kind === 'upload' ? 'N/A' : '0.00%',
          conditions: conds(
            dv,
            { type: 'Running', status: 'True', reason: kind === 'upload' ? 'Pod is running' : '' },
            ...(kind === 'upload' ? [{ type: 'Ready' as const, status: 'False' as const, reason: 'UploadReady' }] : []),
          ),
        });
      },
    },
    {
      name: 'progress',
      when: (dv) => live(dv) && inProgress.has(phase(dv)),
      id: (dv) => dv.status?.progress ?? '',
      delay: (t) => t.dvProgressStep,
      apply(dv) {
        const step = 100 / Math.max(1, t.dvProgressSteps);
        const next = Math.min(100, percent(dv) + step);
        return (next >= 100 ? succeed(dv) : patchStatus(dv, { progress: `${next.toFixed(2)}%` })).then(() => {});
      },
    },
    {
      name: 'uploaded',
      when: (dv) => live(dv) && phase(dv) === 'UploadReady' && pvcOf(dv)?.metadata.annotations?.[POD_PHASE_ANNOTATION] === 'Succeeded',
      delay: () => 0,
      apply: (dv) => succeed(dv).then(() => {}),
    },
  ];

  function succeed(dv: DataVolume) {
    return patchStatus(dv, {
      phase: 'Succeeded',
      progress: '100.0%',
      conditions: conds(
        dv,
        { type: 'Running', status: 'False', reason: 'Completed' },
        { type: 'Ready', status: 'True' },
        { type: 'Bound', status: 'True', reason: 'Bound', message: `PVC ${dv.metadata.name} Bound` },
      ),
    });
  }

  const dvsIn = (ns: string | undefined) => engine.list<DataVolume>(R.dataVolumes, (dv) => dv.metadata.namespace === ns || !!dv.spec.sourceRef || !!dv.spec.source?.pvc?.namespace).map(keyOf);
  return {
    name,
    type: R.dataVolumes,
    watches: [
      { type: R.pvcs, keys: (o) => dvsIn(o.metadata.namespace) },
      { type: R.volumeSnapshots, keys: (o) => dvsIn(o.metadata.namespace) },
      { type: R.dataSources, keys: (o) => dvsIn(o.metadata.namespace) },
      { type: R.storageClasses, keys: () => [] },
    ],
    async reconcile(key) {
      const dv = engine.get<DataVolume>(R.dataVolumes, key);
      if (dv) await engine.runStages(name, stages, dv);
    },
  };
}
