import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serveSandbox } from '../../platform/sandbox-http.ts';
import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  type KubeClient,
  type KubeObject,
  NotFoundError,
  R,
  UnavailableError,
  createKubeClient,
} from '../../src/kube/index.ts';
import { type Sandbox, createSandbox } from '../../src/sandbox/index.ts';

// Dicot's Kubernetes client against the sandbox served over real HTTP (the same path as a
// real cluster): CRUD, conflicts, paging, watch, patches, impersonation, faults and retries.

type ConfigMap = KubeObject & { data?: Record<string, string> };

let sandbox: Sandbox;
let served: { url: string; close(): Promise<void> };
let kube: KubeClient;
const ns = 'client-test';
const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({ metadata: { name, namespace: ns }, data });

before(async () => {
  sandbox = createSandbox();
  await sandbox.ready;
  served = await serveSandbox(sandbox, { hostname: '127.0.0.1', port: 0 });
  kube = createKubeClient({
    server: served.url,
    token: () => sandbox.adminToken,
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 },
  });
  await kube.create(R.namespaces, { metadata: { name: ns } });
});
after(async () => {
  await served?.close();
  await sandbox?.close();
});

describe('the Kubernetes client over HTTP', () => {
  test('create, get, replace, delete; AlreadyExists and NotFound are typed', async () => {
    const made = await kube.create(R.configMaps, cm('a', { k: 'v' }));
    assert.ok(made.metadata.uid);
    await assert.rejects(kube.create(R.configMaps, cm('a')), AlreadyExistsError);
    const got = await kube.get<ConfigMap>(R.configMaps, 'a', { namespace: ns });
    assert.equal(got.data?.k, 'v');
    const replaced = await kube.replace(R.configMaps, { ...got, data: { k: 'w' } });
    assert.equal(replaced.data?.k, 'w');
    await kube.delete(R.configMaps, 'a', { namespace: ns });
    await assert.rejects(kube.get(R.configMaps, 'a', { namespace: ns }), NotFoundError);
  });

  test('a stale resourceVersion is a Conflict', async () => {
    const first = await kube.create(R.configMaps, cm('b'));
    await kube.replace(R.configMaps, { ...first, data: { x: '1' } });
    await assert.rejects(kube.replace(R.configMaps, { ...first, data: { x: '2' } }), ConflictError);
  });

  test('list pages with limit/continue; listAll follows them', async () => {
    for (let i = 0; i < 7; i++) await kube.create(R.configMaps, { metadata: { name: `page-${i}`, namespace: ns, labels: { page: 'y' } } });
    const first = await kube.list(R.configMaps, { namespace: ns, labelSelector: 'page=y', limit: 3 });
    assert.equal(first.items.length, 3);
    assert.ok(first.metadata.continue);
    const second = await kube.list(R.configMaps, { namespace: ns, labelSelector: 'page=y', limit: 3, continue: first.metadata.continue });
    assert.equal(second.items.length, 3);
    const all = await kube.listAll(R.configMaps, { namespace: ns, labelSelector: 'page=y', limit: 2 });
    assert.deepEqual(
      all.items.map((o) => o.metadata.name),
      [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`),
    );
  });

  test('merge and JSON patches', async () => {
    await kube.create(R.configMaps, cm('p', { a: '1' }));
    const merged = await kube.patch<ConfigMap>(R.configMaps, 'p', { data: { b: '2' } }, { namespace: ns, type: 'merge' });
    assert.deepEqual(merged.data, { a: '1', b: '2' });
    const jsonPatched = await kube.patch<ConfigMap>(R.configMaps, 'p', [{ op: 'remove', path: '/data/a' }], { namespace: ns, type: 'json' });
    assert.deepEqual(jsonPatched.data, { b: '2' });
  });

  test('watch streams events from a resourceVersion and ends when aborted', async () => {
    const list = await kube.list(R.configMaps, { namespace: ns });
    const abort = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const ev of kube.watch(R.configMaps, { namespace: ns, resourceVersion: list.metadata.resourceVersion, signal: abort.signal })) {
        seen.push(`${ev.type} ${ev.object.metadata.name}`);
        if (seen.includes('DELETED w')) abort.abort();
      }
    })();
    await kube.create(R.configMaps, cm('w'));
    await kube.delete(R.configMaps, 'w', { namespace: ns });
    await watching;
    assert.deepEqual(seen, ['ADDED w', 'DELETED w']);
  });

  test('impersonation: RBAC decides for the impersonated user', async () => {
    const bob = kube.as('bob', ['team']);
    await assert.rejects(bob.list(R.configMaps, { namespace: ns }), ForbiddenError);
    await kube.create(R.roleBindings, {
      metadata: { name: 'bob-view', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'Group', name: 'team', apiGroup: 'rbac.authorization.k8s.io' }],
    } as KubeObject);
    const seen = await bob.list(R.configMaps, { namespace: ns });
    assert.ok(seen.items.length > 0);
    await assert.rejects(bob.create(R.configMaps, cm('by-bob')), ForbiddenError);
  });

  test('safe reads are retried through 503s; writes are not', async () => {
    sandbox.faults.fail({ verb: 'get', resource: 'configmaps', name: 'p' }, { code: 503, message: 'try again' }, 2);
    const got = await kube.get<ConfigMap>(R.configMaps, 'p', { namespace: ns });
    assert.equal(got.metadata.name, 'p');
    sandbox.faults.fail({ verb: 'create', resource: 'configmaps' }, { code: 503, message: 'busy' }, 1);
    await assert.rejects(kube.create(R.configMaps, cm('once')), UnavailableError);
    // The failed create was not re-sent behind the caller's back.
    await assert.rejects(kube.get(R.configMaps, 'once', { namespace: ns }), NotFoundError);
  });
});
