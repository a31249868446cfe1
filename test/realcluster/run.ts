// `npm run test:realcluster`: builds the control plane (cached under test/realcluster/.build
// and Go's caches), then runs the contract suite and the service, identity and CLI tests,
// unchanged, with DICOT_TEST_CLUSTER=real: every test gateway gets its own real
// kube-apiserver + kube-controller-manager + etcd with the KubeVirt add-ons, torn down after.
// Pass test files to run a subset.

import { spawnSync } from 'node:child_process';
import { buildBinaries } from './cluster.ts';

/** The tests that run on the lane (each starts its own cluster through the shared helpers). */
export const LANE_TESTS = [
  'test/realcluster/contract.lane.ts',
  'test/realcluster/deploy.lane.ts',
  'test/identity/auth-api.test.ts',
  'test/identity/resources.test.ts',
  'test/identity/security.test.ts',
  'test/identity/kubernetes.test.ts',
  'test/core/app.test.ts',
  'test/compute/flavors.test.ts',
  'test/compute/keypairs.test.ts',
  'test/compute/resources.test.ts',
  'test/compute/servers.test.ts',
  'test/compute/actions.test.ts',
  'test/compute/aggregates.test.ts',
  'test/image/images-api.test.ts',
  'test/compute/images.test.ts',
  'test/compute/server-networks.test.ts',
  'test/compute/security-groups.test.ts',
  'test/network/api.test.ts',
  'test/volume/volumes-api.test.ts',
  'test/volume/attachments.test.ts',
  'test/volume/backends.test.ts',
  'test/clients/identity-cli.test.ts',
  'test/clients/compute-cli.test.ts',
  'test/clients/image-cli.test.ts',
  'test/clients/network-cli.test.ts',
  'test/clients/volume-cli.test.ts',
];

const started = Date.now();
await buildBinaries((s) => console.error(`[realcluster] ${s}`));
console.error(`[realcluster] binaries ready after ${Math.round((Date.now() - started) / 1000)} s`);
const files = process.argv.slice(2).length ? process.argv.slice(2) : LANE_TESTS;
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=600000', ...files],
  { stdio: 'inherit', env: { ...process.env, DICOT_TEST_CLUSTER: 'real' } },
);
console.error(`[realcluster] done in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(result.status ?? 1);
