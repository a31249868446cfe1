// The Kubernetes contract suite against the sandbox, served over HTTP like a real cluster.

import { after, before, test } from 'node:test';
import { serveSandbox, type ServedSandbox } from '../../platform/sandbox-http.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { kubeContract } from './kube-contract.ts';

let sandbox: Sandbox;
let served: ServedSandbox;
const bob = { token: `bob-${crypto.randomUUID()}`, user: 'bob' };

before(async () => {
  sandbox = createSandbox({ tokens: { [bob.token]: { user: bob.user, groups: [] } } });
  await sandbox.ready;
  served = await serveSandbox(sandbox, { hostname: '127.0.0.1', port: 0 });
});

after(async () => {
  await served?.close();
  await sandbox?.close();
});

test('Kubernetes contract (sandbox over HTTP)', async (t) => {
  await kubeContract(t, { server: served.url, adminToken: sandbox.adminToken, unprivileged: bob });
});
