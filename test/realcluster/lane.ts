// The real-cluster lane as a library: a control plane (cluster.ts) with the KubeVirt add-ons
// (addons.ts) running, and how tests reach it. `DICOT_TEST_CLUSTER=real` makes the shared test
// helpers (test/helpers/gateway.ts, test/clients/cli.ts) start one of these instead of a sandbox.

import type { Sandbox } from '../../src/sandbox/index.ts';
import { installAddons, installCrds } from './addons.ts';
import { buildBinaries, type RealCluster, startCluster, startEtcd } from './cluster.ts';

export interface Lane extends RealCluster {
  /** Resolves when the simulated KubeVirt/CDI controllers have caught up. */
  idle(): Promise<void>;
}

/** True when the tests are asked to run against a real kube-apiserver. */
export const realClusterRequested = () => process.env.DICOT_TEST_CLUSTER === 'real';

/** Builds (cached) and starts a fresh cluster with its add-ons; stop() ends everything it started. */
export async function startLane(log?: (s: string) => void): Promise<Lane> {
  await buildBinaries(log);
  const etcd = await startEtcd();
  let cluster: RealCluster | undefined;
  try {
    cluster = await startCluster({ etcd, prepare: installCrds, ...(log ? { log } : {}) });
    const addons = await installAddons(cluster);
    const c = cluster;
    return {
      ...c,
      idle: () => addons.idle(),
      stop: async () => {
        await addons.stop();
        await c.stop();
        await etcd.stop();
      },
    };
  } catch (e) {
    await cluster?.stop();
    await etcd.stop();
    throw e;
  }
}

/**
 * The lane seen through the sandbox's interface, for test helpers written against it: requests
 * to any origin go to the real apiserver; sandbox-only hooks (fault injection, adding tokens)
 * are refused loudly, since a real apiserver has no such thing.
 */
export function laneAsSandbox(lane: Lane): Sandbox {
  const refuse = (what: string) => () => {
    throw new Error(`${what} is a sandbox-only hook; the real-cluster lane has no equivalent`);
  };
  return {
    async fetch(req: Request) {
      const u = new URL(req.url);
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer();
      return lane.fetch(`${lane.url}${u.pathname}${u.search}`, {
        method: req.method,
        headers: req.headers,
        ...(body ? { body } : {}),
        signal: req.signal,
      });
    },
    adminToken: lane.adminToken,
    gatewayToken: lane.gatewayToken,
    addToken: refuse('addToken'),
    faults: new Proxy({} as Sandbox['faults'], { get: (_, p) => refuse(`faults.${String(p)}`) }),
    ready: Promise.resolve(),
    idle: () => lane.idle(),
    close: () => lane.stop(),
  };
}
