// The sandbox's cluster behaviour: what KubeVirt, CDI, a CSI driver and a LoadBalancer
// implementation would do, talking to the API server only through the Kubernetes API.

import type { KubeClient } from '../../kube/index.ts';
import type { AggregatedApi, ServiceResolver } from '../types.ts';
import { blobGcController } from './blobs.ts';
import { dataVolumeController } from './datavolume.ts';
import { type Controller, Engine } from './engine.ts';
import { EXPORT_SERVICE_PREFIX, exportController, exportServer } from './export.ts';
import { loadBalancerController } from './loadbalancer.ts';
import { migrationController } from './migration.ts';
import { dataSourceController, pvReclaimController, pvcController, snapshotContentController, snapshotController } from './storage.ts';
import { subresourcesApi } from './subresources.ts';
import type { SandboxTiming } from './timing.ts';
import { vmController } from './vm.ts';
import { UPLOAD_PROXY, uploadProxy, uploadTokenApi } from './upload.ts';
import { vmiController } from './vmi.ts';

export { seedCluster } from './seed.ts';
export { instancetypeConflicts } from './instancetype.ts';
export type { SandboxTiming } from './timing.ts';
export type { Controller, Engine } from './engine.ts';
export { DEMO_TIMING, INSTANT_TIMING } from './timing.ts';

export function startControllers(opts: {
  client: KubeClient;
  timing: SandboxTiming;
  signal: AbortSignal;
  /** Controllers that run before the sandbox's own for the same event (the real-cluster lane's pod stand-ins). */
  first?: ((engine: Engine) => Controller)[];
}): {
  stop(): Promise<void>;
  idle(): Promise<void>;
} {
  const engine = new Engine(opts.client, opts.timing, opts.signal);
  for (const make of [
    ...(opts.first ?? []),
    vmController,
    vmiController,
    migrationController,
    dataVolumeController,
    pvcController,
    pvReclaimController,
    snapshotController,
    snapshotContentController,
    dataSourceController,
    loadBalancerController,
    exportController,
    blobGcController,
  ])
    engine.add(make(engine));
  const started = engine.start();
  started.catch(() => {});
  return {
    stop: () => engine.stop(),
    idle: async () => {
      await started;
      await engine.idle();
    },
  };
}

export function createAggregatedApis(opts: { client: KubeClient; timing: SandboxTiming }): AggregatedApi[] {
  return [subresourcesApi(opts, 'v1'), subresourcesApi(opts, 'v1alpha3'), uploadTokenApi(opts, 'v1beta1'), uploadTokenApi(opts, 'v1alpha1')];
}

/** Services with a backend in the sandbox: CDI's upload proxy and KubeVirt's export servers. */
export function createServiceResolver(opts: { client: KubeClient }): ServiceResolver {
  const upload = uploadProxy(opts);
  return (namespace, name) => {
    if (namespace === UPLOAD_PROXY.namespace && name === UPLOAD_PROXY.name) return upload;
    if (name.startsWith(EXPORT_SERVICE_PREFIX)) return exportServer(opts, namespace, name.slice(EXPORT_SERVICE_PREFIX.length));
    return undefined;
  };
}
