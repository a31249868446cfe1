// The Kubernetes contract suite (test/contract/kube-contract.ts), unchanged, against a real
// kube-apiserver + kube-controller-manager with the KubeVirt add-ons of the lane.

import { after, before, test } from 'node:test';
import { kubeContract } from '../contract/kube-contract.ts';
import { type Lane, startLane } from './lane.ts';

let lane: Lane;

before(async () => {
  lane = await startLane((s) => console.error(s));
});

after(async () => {
  await lane?.stop();
});

test('Kubernetes contract (real kube-apiserver)', async (t) => {
  await kubeContract(t, { server: lane.url, adminToken: lane.adminToken, fetch: lane.fetch, unprivileged: { token: lane.ids.bob.token, user: lane.ids.bob.user } });
});
