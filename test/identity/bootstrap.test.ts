import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrap } from '../../src/identity/bootstrap.ts';
import { R, createKubeClient } from '../../src/kube/index.ts';
import { createSandbox } from '../../src/sandbox/index.ts';

// keystone-manage bootstrap semantics: roles, project, user, assignment; safe to repeat.

test('bootstrap creates roles, project, user and role binding, and can run again', async () => {
  const sandbox = createSandbox({ timing: 'instant' });
  await sandbox.ready;
  try {
    const kube = createKubeClient({ server: 'http://sandbox', fetch: ((i: string, init?: RequestInit) => sandbox.fetch(new Request(i, init))) as typeof fetch, token: () => sandbox.gatewayToken });
    const low = { scrypt: { N: 16, r: 1, p: 1 } };
    const first = await bootstrap(kube, [{ name: 'admin', password: 'a', project: 'admin', role: 'admin' }], low);
    const again = await bootstrap(kube, [{ name: 'admin', password: 'b', project: 'admin', role: 'admin' }], low);
    assert.deepEqual(again.users, first.users, 'same ids the second time');
    const roles = await kube.list(R.clusterRoles, { labelSelector: 'openstack.dicot.io/role=true' });
    assert.deepEqual(roles.items.map((r) => r.metadata.name).sort(), ['dicot-role-admin', 'dicot-role-member', 'dicot-role-reader']);
    await kube.get(R.clusterRoles, 'dicot-cloud-admin');
    const u = first.users[0];
    assert.ok(u);
    await kube.get(R.clusterRoleBindings, `dicot-cloud-admin-user-${u.id}`);
    const ns = await kube.list(R.namespaces, { labelSelector: 'openstack.dicot.io/project=true' });
    assert.equal(ns.items.length, 1);
    const rbs = await kube.list(R.roleBindings, { namespace: ns.items[0]?.metadata.name });
    assert.deepEqual(rbs.items.map((r) => r.metadata.name), [`dicot-admin-user-${u.id}`]);
  } finally {
    await sandbox.close();
  }
});
