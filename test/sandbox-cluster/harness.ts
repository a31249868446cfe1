// A sandbox API server with this module's seed and controllers attached through the
// Kubernetes API (in-process fetch), as createSandbox wires them.

import { createKubeClient, type KubeClient } from '../../src/kube/index.ts';
import { INSTANT_TIMING, seedCluster, startControllers } from '../../src/sandbox/cluster/index.ts';
import { createSandbox } from '../../src/sandbox/index.ts';

export async function startCluster(): Promise<{ client: KubeClient; idle(): Promise<void>; close(): Promise<void> }> {
  const sandbox = createSandbox({ timing: 'instant' });
  await sandbox.ready;
  const client = createKubeClient({
    server: 'http://sandbox.invalid',
    fetch: (input, init) => sandbox.fetch(new Request(input, init)),
    token: sandbox.adminToken,
  });
  await seedCluster(client);
  const ac = new AbortController();
  const controllers = startControllers({ client, timing: INSTANT_TIMING, signal: ac.signal });
  return {
    client,
    idle: () => controllers.idle(),
    async close() {
      ac.abort();
      await controllers.stop();
      await sandbox.close();
    },
  };
}
