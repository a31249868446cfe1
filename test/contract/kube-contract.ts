// The Kubernetes contract suite: what Dicot relies on from a Kubernetes API server, written
// against the raw HTTP API so it runs unchanged against the sandbox and a real kube-apiserver
// (+ kube-controller-manager for garbage collection and namespace deletion, + KubeVirt CRDs).
// Only behaviour a real server shows is asserted here; sandbox-only checks live in test/sandbox.

import assert from 'node:assert/strict';
import { type ContractOptions, Kube, type Obj, rand } from './kube-client.ts';

export type { ContractOptions } from './kube-client.ts';

/** node:test's TestContext fits; so does any `{ test(name, fn) }`. */
export interface Suite {
  test(name: string, fn: () => Promise<void>): unknown;
}

const CM = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
const VM = (ns: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`;
const MERGE = 'application/merge-patch+json';
const JSONPATCH = 'application/json-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

const cm = (name: string, extra: Obj = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra.metadata }, data: extra.data ?? { a: '1' } });
const vm = (name: string, extra: Obj = {}) => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachine',
  metadata: { name, ...extra.metadata },
  spec: {
    runStrategy: 'Halted',
    template: { spec: { domain: { devices: {}, memory: { guest: '128Mi' } } } },
    ...extra.spec,
  },
});

const SUBDOMAIN_MSG = (v: string) =>
  `metadata.name: Invalid value: "${v}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const LABEL_MSG = (v: string) =>
  `metadata.name: Invalid value: "${v}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;

export async function kubeContract(t: Suite, opts: ContractOptions): Promise<void> {
  const k = new Kube(opts);
  const run = rand();
  const namespaces: string[] = [];
  const newNamespace = async (label: string) => {
    const name = `ct-${run}-${label}`;
    const r = await k.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    namespaces.push(name);
    return name;
  };

  await t.test('discovery lists core and CRD groups with resources, verbs and short names', async () => {
    const api = await k.get('/api');
    assert.equal(api.status, 200);
    assert.deepEqual(api.body.versions, ['v1']);
    const v1 = await k.get('/api/v1');
    const cms = v1.body.resources.find((r: Obj) => r.name === 'configmaps');
    assert.equal(cms.kind, 'ConfigMap');
    assert.equal(cms.namespaced, true);
    assert.ok(cms.shortNames.includes('cm'));
    for (const verb of ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']) assert.ok(cms.verbs.includes(verb), verb);
    assert.ok(v1.body.resources.some((r: Obj) => r.name === 'namespaces' && r.namespaced === false));
    const groups = await k.get('/apis');
    const names = groups.body.groups.map((g: Obj) => g.name);
    for (const g of ['rbac.authorization.k8s.io', 'kubevirt.io', 'cdi.kubevirt.io', 'apiextensions.k8s.io']) assert.ok(names.includes(g), g);
    const kv = groups.body.groups.find((g: Obj) => g.name === 'kubevirt.io');
    assert.equal(kv.preferredVersion.groupVersion, 'kubevirt.io/v1');
    const kvv1 = await k.get('/apis/kubevirt.io/v1');
    const vms = kvv1.body.resources.find((r: Obj) => r.name === 'virtualmachines');
    assert.equal(vms.kind, 'VirtualMachine');
    assert.ok(vms.shortNames.includes('vm'));
    assert.ok(kvv1.body.resources.some((r: Obj) => r.name === 'virtualmachines/status'));
    const vmis = kvv1.body.resources.find((r: Obj) => r.name === 'virtualmachineinstances');
    assert.ok(vmis.shortNames.includes('vmi'));
    const version = await k.get('/version');
    assert.equal(version.body.major, '1');
    assert.match(version.body.gitVersion, /^v1\./);
  });

  const ns = await newNamespace('main');

  await t.test('create, get, update with optimistic concurrency, delete a ConfigMap', async () => {
    const created = await k.post(CM(ns), cm('c1'));
    assert.equal(created.status, 201);
    const meta = created.body.metadata;
    assert.match(meta.uid, /^[0-9a-f-]{36}$/);
    assert.match(meta.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(meta.resourceVersion);
    const again = await k.post(CM(ns), cm('c1'));
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, 'AlreadyExists');
    assert.equal(again.body.message, 'configmaps "c1" already exists');
    assert.deepEqual(again.body.details, { name: 'c1', kind: 'configmaps' });
    const got = await k.get(`${CM(ns)}/c1`);
    assert.deepEqual(got.body.data, { a: '1' });
    const updated = await k.put(`${CM(ns)}/c1`, { ...got.body, data: { a: '2' } });
    assert.equal(updated.status, 200);
    assert.notEqual(updated.body.metadata.resourceVersion, meta.resourceVersion);
    assert.equal(updated.body.metadata.uid, meta.uid);
    const stale = await k.put(`${CM(ns)}/c1`, { ...got.body, data: { a: '3' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(
      stale.body.message,
      'Operation cannot be fulfilled on configmaps "c1": the object has been modified; please apply your changes to the latest version and try again',
    );
    const wrongName = await k.put(`${CM(ns)}/c1`, { ...updated.body, metadata: { ...updated.body.metadata, name: 'c2' } });
    assert.equal(wrongName.status, 400);
    const del = await k.del(`${CM(ns)}/c1`);
    assert.equal(del.status, 200);
    const missing = await k.get(`${CM(ns)}/c1`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.kind, 'Status');
    assert.equal(missing.body.reason, 'NotFound');
    assert.equal(missing.body.message, 'configmaps "c1" not found');
    assert.deepEqual(missing.body.details, { name: 'c1', kind: 'configmaps' });
    assert.equal((await k.del(`${CM(ns)}/c1`)).status, 404);
  });

  // A CRD of the suite's own, so no controller writes to its objects while we look.
  const group = `ct${run}.contract.dicot.io`;
  const W = (n: string) => `/apis/${group}/v1alpha1/namespaces/${n}/widgets`;
  const widget = (name: string, spec: Obj = { size: 1 }) => ({ apiVersion: `${group}/v1alpha1`, kind: 'Widget', metadata: { name }, spec });
  const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`;

  await t.test('CustomResourceDefinition: registration and discovery', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wdg'] },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            subresources: { status: {} },
          },
        ],
      },
    };
    // Groups under k8s.io need an API review annotation.
    const pg = `ct${run}.contract.k8s.io`;
    const unapproved = await k.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { ...crd, metadata: { name: `widgets.${pg}` }, spec: { ...crd.spec, group: pg } });
    assert.equal(unapproved.status, 422);
    assert.equal(
      unapproved.body.message,
      `CustomResourceDefinition.apiextensions.k8s.io "widgets.${pg}" is invalid: metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111`,
    );
    const created = await k.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await k.until('the CRD to be established', async () => {
      const c = await k.get(crdPath);
      return c.body.status?.conditions?.some((x: Obj) => x.type === 'Established' && x.status === 'True') ? true : undefined;
    });
    await k.until('the group to be served', async () => ((await k.get(W(ns))).status === 200 ? true : undefined));
    const disc = await k.get(`/apis/${group}/v1alpha1`);
    const w = disc.body.resources.find((r: Obj) => r.name === 'widgets');
    assert.equal(w.kind, 'Widget');
    assert.deepEqual(w.shortNames, ['wdg']);
    assert.ok(disc.body.resources.some((r: Obj) => r.name === 'widgets/status'));
  });

  await t.test('custom resources: generation, status subresource, errors name the group', async () => {
    const created = await k.post(W(ns), { ...widget('w1'), status: { ok: 'ignored' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.metadata.generation, 1);
    assert.equal(created.body.status, undefined);
    const missing = await k.get(`${W(ns)}/nope`);
    assert.equal(missing.body.message, `widgets.${group} "nope" not found`);
    assert.deepEqual(missing.body.details, { name: 'nope', group, kind: 'widgets' });
    const vmMissing = await k.get(`${VM(ns)}/nope`);
    assert.equal(vmMissing.body.message, 'virtualmachines.kubevirt.io "nope" not found');
    // Spec change bumps generation; label change does not.
    const spec = await k.patch(`${W(ns)}/w1`, { spec: { size: 2 } }, MERGE);
    assert.equal(spec.body.metadata.generation, 2);
    const labels = await k.patch(`${W(ns)}/w1`, { metadata: { labels: { a: 'b' } } }, MERGE);
    assert.equal(labels.body.metadata.generation, 2);
    assert.equal(labels.body.metadata.labels.a, 'b');
    // Status is written through /status only, and /status writes only status.
    const viaMain = await k.patch(`${W(ns)}/w1`, { status: { phase: 'Bogus' } }, MERGE);
    assert.equal(viaMain.body.status, undefined);
    const st = await k.patch(`${W(ns)}/w1/status`, { status: { phase: 'Ready' }, spec: { size: 99 } }, MERGE);
    assert.equal(st.status, 200, JSON.stringify(st.body));
    assert.equal(st.body.status.phase, 'Ready');
    assert.equal(st.body.spec.size, 2);
    assert.equal(st.body.metadata.generation, 2);
    const cur = (await k.get(`${W(ns)}/w1`)).body;
    const put = await k.put(`${W(ns)}/w1`, { ...cur, spec: { size: 3 }, status: { phase: 'X' } });
    assert.equal(put.body.status.phase, 'Ready');
    assert.equal(put.body.metadata.generation, 3);
    const statusPut = await k.put(`${W(ns)}/w1/status`, { ...put.body, status: { phase: 'Done' } });
    assert.equal(statusPut.body.status.phase, 'Done');
    const noRv = await k.put(`${W(ns)}/w1`, { ...put.body, metadata: { ...put.body.metadata, resourceVersion: undefined } });
    assert.equal(noRv.status, 422);
    const stale = await k.put(`${W(ns)}/w1`, put.body);
    assert.equal(stale.status, 409);
    assert.equal(
      stale.body.message,
      `Operation cannot be fulfilled on widgets.${group} "w1": the object has been modified; please apply your changes to the latest version and try again`,
    );
    const smp = await k.patch(`${W(ns)}/w1`, { spec: { size: 2 } }, STRATEGIC);
    assert.equal(smp.status, 415);
    assert.equal((await k.del(`${W(ns)}/w1`)).status, 200);
    await k.gone(`${W(ns)}/w1`);
  });

  await t.test('generateName and name validation', async () => {
    const gen = await k.post(CM(ns), { metadata: { generateName: 'gen-' }, data: {} });
    assert.equal(gen.status, 201);
    assert.match(gen.body.metadata.name, /^gen-[a-z0-9]{5}$/);
    const bad = await k.post(CM(ns), cm('Bad_Name'));
    assert.equal(bad.status, 422);
    assert.equal(bad.body.reason, 'Invalid');
    assert.equal(bad.body.message, `ConfigMap "Bad_Name" is invalid: ${SUBDOMAIN_MSG('Bad_Name')}`);
    assert.equal(bad.body.details.kind, 'ConfigMap');
    assert.equal(bad.body.details.causes[0].field, 'metadata.name');
    assert.equal(bad.body.details.causes[0].reason, 'FieldValueInvalid');
    const badVm = await k.post(VM(ns), vm('Bad.VM'));
    assert.equal(badVm.status, 422);
    assert.equal(badVm.body.message, `VirtualMachine.kubevirt.io "Bad.VM" is invalid: ${SUBDOMAIN_MSG('Bad.VM')}`);
    const badNs = await k.post('/api/v1/namespaces', { metadata: { name: 'a.b' } });
    assert.equal(badNs.status, 422);
    assert.equal(badNs.body.message, 'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots');
    const badNs2 = await k.post('/api/v1/namespaces', { metadata: { name: 'a_b' } });
    assert.equal(badNs2.body.message, `Namespace "a_b" is invalid: ${LABEL_MSG('a_b')}`);
    const noName = await k.post(CM(ns), { metadata: {}, data: {} });
    assert.equal(noName.status, 422);
    assert.match(noName.body.message, /metadata\.name: Required value: name or generateName is required/);
    const missingNs = await k.post(CM(`ct-${run}-missing`), cm('x'));
    assert.equal(missingNs.status, 404);
    assert.equal(missingNs.body.message, `namespaces "ct-${run}-missing" not found`);
  });

  await t.test('label and field selectors', async () => {
    const sns = await newNamespace('sel');
    const items: [string, Record<string, string>][] = [
      ['s1', { app: 'web', tier: 'front' }],
      ['s2', { app: 'web', tier: 'back' }],
      ['s3', { app: 'db' }],
      ['s4', {}],
    ];
    for (const [name, labels] of items) assert.equal((await k.post(CM(sns), cm(name, { metadata: { labels } }))).status, 201);
    const names = async (q: string) => {
      const r = await k.get(`${CM(sns)}?${q}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items.map((i: Obj) => i.metadata.name).filter((n: string) => /^s\d$/.test(n));
    };
    const sel = (s: string) => `labelSelector=${encodeURIComponent(s)}`;
    assert.deepEqual(await names(sel('app=web')), ['s1', 's2']);
    assert.deepEqual(await names(sel('app==web,tier=back')), ['s2']);
    assert.deepEqual(await names(sel('app!=web')), ['s3', 's4']);
    assert.deepEqual(await names(sel('app in (db,web),tier notin (front)')), ['s2', 's3']);
    assert.deepEqual(await names(sel('tier')), ['s1', 's2']);
    assert.deepEqual(await names(sel('!app')), ['s4']);
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent('metadata.name=s3')}`), ['s3']);
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent('metadata.name!=s3')}&${sel('app')}`), ['s1', 's2']);
    const bad = await k.get(`${CM(sns)}?fieldSelector=${encodeURIComponent('spec.foo=bar')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
    const badVm = await k.get(`${VM(sns)}?fieldSelector=${encodeURIComponent('status.phase=Running')}`);
    assert.equal(badVm.status, 400);
    const phase = await k.get(`/api/v1/namespaces?fieldSelector=${encodeURIComponent(`metadata.name=${sns}`)}`);
    assert.deepEqual(phase.body.items.map((i: Obj) => i.metadata.name), [sns]);
    const all = await k.get(`/api/v1/configmaps?${sel('app=web')}`);
    assert.ok(all.body.items.filter((i: Obj) => i.metadata.namespace === sns).length === 2);
    const gone = await k.del(`${CM(sns)}?${sel('app=web')}`);
    assert.equal(gone.status, 200);
    await k.until('deletecollection', async () => ((await names(sel('app'))).join() === 's3' ? true : undefined));
  });

  await t.test('limit/continue pages without duplicates or misses, in name order', async () => {
    const pns = await newNamespace('page');
    const want: string[] = [];
    for (let i = 0; i < 7; i++) {
      const name = `p${i}`;
      want.push(name);
      assert.equal((await k.post(CM(pns), cm(name, { metadata: { labels: { page: 'yes' } } }))).status, 201);
    }
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const q = `labelSelector=page%3Dyes&limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
      const r = await k.get(`${CM(pns)}?${q}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.items.length <= 3);
      seen.push(...r.body.items.map((i: Obj) => i.metadata.name));
      cont = r.body.metadata.continue || undefined;
      pages++;
      // A change between pages must not disturb unchanged objects.
      if (pages === 1) assert.equal((await k.post(CM(pns), cm('zz-late'))).status, 201);
    } while (cont && pages < 10);
    assert.deepEqual(seen, want);
    assert.equal(pages, 3);
  });

  await t.test('watch: events from a resourceVersion, selectors, initial state', async () => {
    const wns = await newNamespace('watch');
    const list = await k.get(CM(wns));
    const rv = list.body.metadata.resourceVersion;
    const w = await k.watch(`${CM(wns)}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=60`);
    const sel = await k.watch(`${CM(wns)}?watch=1&resourceVersion=${rv}&labelSelector=w%3Dyes`);
    try {
      await k.post(CM(wns), cm('w1', { metadata: { labels: { w: 'yes' } } }));
      await k.patch(`${CM(wns)}/w1`, { data: { a: 'changed' } }, MERGE);
      await k.post(CM(wns), cm('w2'));
      await k.patch(`${CM(wns)}/w1`, { metadata: { labels: { w: null } } }, MERGE);
      await k.del(`${CM(wns)}/w2`);
      const events: string[] = [];
      for (let i = 0; i < 5; i++) {
        const e = await w.nextChange();
        assert.ok(e);
        events.push(`${e.type} ${e.object.metadata.name}`);
        if (i === 1) assert.equal(e.object.data.a, 'changed');
      }
      assert.deepEqual(events, ['ADDED w1', 'MODIFIED w1', 'ADDED w2', 'MODIFIED w1', 'DELETED w2']);
      // With a selector, leaving the selection is a DELETED event.
      const selEvents: string[] = [];
      for (let i = 0; i < 3; i++) {
        const e = await sel.nextChange();
        assert.ok(e);
        selEvents.push(`${e.type} ${e.object.metadata.name}`);
      }
      assert.deepEqual(selEvents, ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
    } finally {
      w.close();
      sel.close();
    }
    // Without a resourceVersion the current objects come first, as ADDED.
    const fresh = await k.watch(`${CM(wns)}?watch=true&fieldSelector=metadata.name%3Dw1`);
    try {
      const e = await fresh.nextChange();
      assert.equal(e?.type, 'ADDED');
      assert.equal(e?.object.metadata.name, 'w1');
    } finally {
      fresh.close();
    }
    // timeoutSeconds ends the stream.
    const short = await k.watch(`${CM(wns)}?watch=true&resourceVersion=${rv}&timeoutSeconds=1&labelSelector=none%3Dnone`);
    assert.equal(await short.nextChange(15_000), undefined);
    // A very old resourceVersion either replays or answers 410 Expired (after compaction).
    const old = await k.watch(`${CM(wns)}?watch=true&resourceVersion=1&timeoutSeconds=2&labelSelector=none%3Dnone`);
    try {
      const e = await old.nextChange(15_000);
      if (e !== undefined) {
        assert.equal(e.type, 'ERROR');
        assert.equal(e.object.code, 410);
      }
    } finally {
      old.close();
    }
  });

  await t.test('patch types: merge, JSON patch with test, strategic on built-ins only', async () => {
    await k.post(CM(ns), cm('pt', { data: { a: '1', b: '2' } }));
    const merged = await k.patch(`${CM(ns)}/pt`, { data: { b: null, c: '3' } }, MERGE);
    assert.deepEqual(merged.body.data, { a: '1', c: '3' });
    const jp = await k.patch(
      `${CM(ns)}/pt`,
      [
        { op: 'test', path: '/data/a', value: '1' },
        { op: 'replace', path: '/data/a', value: 'x' },
        { op: 'add', path: '/metadata/labels', value: { l: 'v' } },
        { op: 'remove', path: '/data/c' },
      ],
      JSONPATCH,
    );
    assert.equal(jp.status, 200, JSON.stringify(jp.body));
    assert.deepEqual(jp.body.data, { a: 'x' });
    assert.equal(jp.body.metadata.labels.l, 'v');
    const failed = await k.patch(`${CM(ns)}/pt`, [{ op: 'test', path: '/data/a', value: 'nope' }, { op: 'remove', path: '/data/a' }], JSONPATCH);
    assert.equal(failed.status, 422);
    assert.deepEqual((await k.get(`${CM(ns)}/pt`)).body.data, { a: 'x' });
    const rvConflict = await k.patch(`${CM(ns)}/pt`, { metadata: { resourceVersion: '1' }, data: { a: 'y' } }, MERGE);
    assert.equal(rvConflict.status, 409);
    const smp = await k.patch(`${CM(ns)}/pt`, { data: { s: 'smp' } }, STRATEGIC);
    assert.equal(smp.status, 200);
    assert.deepEqual(smp.body.data, { a: 'x', s: 'smp' });
    await k.post(VM(ns), vm('ptvm'));
    const crdSmp = await k.patch(`${VM(ns)}/ptvm`, { spec: { runStrategy: 'Always' } }, STRATEGIC);
    assert.equal(crdSmp.status, 415);
    assert.equal(crdSmp.body.reason, 'UnsupportedMediaType');
    const vmJp = await k.patch(`${VM(ns)}/ptvm`, [{ op: 'replace', path: '/spec/runStrategy', value: 'Manual' }], JSONPATCH);
    assert.equal(vmJp.body.spec.runStrategy, 'Manual');
    const missing = await k.patch(`${CM(ns)}/nope`, { data: {} }, MERGE);
    assert.equal(missing.status, 404);
    await k.del(`${VM(ns)}/ptvm`);
  });

  await t.test('dryRun=All changes nothing', async () => {
    const dry = await k.post(`${CM(ns)}?dryRun=All`, cm('dry'));
    assert.equal(dry.status, 201);
    assert.equal(dry.body.metadata.name, 'dry');
    assert.equal((await k.get(`${CM(ns)}/dry`)).status, 404);
    await k.post(CM(ns), cm('dry'));
    const upd = await k.patch(`${CM(ns)}/dry?dryRun=All`, { data: { a: 'dry' } }, MERGE);
    assert.equal(upd.body.data.a, 'dry');
    assert.equal((await k.get(`${CM(ns)}/dry`)).body.data.a, '1');
    assert.equal((await k.del(`${CM(ns)}/dry?dryRun=All`)).status, 200);
    assert.equal((await k.get(`${CM(ns)}/dry`)).status, 200);
  });

  await t.test('ResourceQuota object counts: a create beyond the limit is 403 "exceeded quota"', async () => {
    const qns = await newNamespace('quota');
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'counts' }, spec: { hard: { 'count/secrets': '1' } } };
    assert.equal((await k.post(`/api/v1/namespaces/${qns}/resourcequotas`, quota)).status, 201);
    const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { a: '1' } });
    // Admission enforces what the quota controller publishes in status.hard.
    let published: unknown;
    for (let i = 0; i < 100 && published === undefined; i++) {
      published = (await k.get(`/api/v1/namespaces/${qns}/resourcequotas/counts`)).body.status?.hard?.['count/secrets'];
      if (published === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(published, '1');
    const first = await k.post(`/api/v1/namespaces/${qns}/secrets`, secret('one'));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await k.post(`/api/v1/namespaces/${qns}/secrets`, secret('two'));
    assert.equal(second.status, 403);
    assert.equal(second.body.reason, 'Forbidden');
    assert.match(second.body.message, /^secrets "two" is forbidden: exceeded quota: counts, requested: count\/secrets=1, used: count\/secrets=1, limited: count\/secrets=1$/);
    assert.equal((await k.get(`/api/v1/namespaces/${qns}/secrets/two`)).status, 404);
  });

  await t.test('finalizers hold deletion; preconditions guard it', async () => {
    await k.post(CM(ns), cm('fin', { metadata: { finalizers: ['contract.dicot.io/hold'] } }));
    const cur = (await k.get(`${CM(ns)}/fin`)).body;
    const wrongUid = await k.del(`${CM(ns)}/fin`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: '00000000-0000-0000-0000-000000000000' } });
    assert.equal(wrongUid.status, 409);
    assert.equal(
      wrongUid.body.message,
      `Operation cannot be fulfilled on ConfigMap "fin": the UID in the precondition (00000000-0000-0000-0000-000000000000) does not match the UID in record (${cur.metadata.uid}). The object might have been deleted and then recreated`,
    );
    const wrongRv = await k.del(`${CM(ns)}/fin`, { preconditions: { resourceVersion: '1' } });
    assert.equal(wrongRv.status, 409);
    const del = await k.del(`${CM(ns)}/fin`, { preconditions: { uid: cur.metadata.uid } });
    assert.equal(del.status, 200);
    assert.ok(del.body.metadata.deletionTimestamp);
    const still = await k.get(`${CM(ns)}/fin`);
    assert.equal(still.status, 200);
    assert.ok(still.body.metadata.deletionTimestamp);
    assert.equal(still.body.metadata.deletionGracePeriodSeconds, 0);
    const added = await k.patch(`${CM(ns)}/fin`, { metadata: { finalizers: ['contract.dicot.io/hold', 'contract.dicot.io/more'] } }, MERGE);
    assert.equal(added.status, 422);
    const released = await k.patch(`${CM(ns)}/fin`, { metadata: { finalizers: null } }, MERGE);
    assert.equal(released.status, 200);
    await k.gone(`${CM(ns)}/fin`);
  });

  await t.test('garbage collection: background, foreground and orphan', async () => {
    const gns = await newNamespace('gc');
    const owned = async (owner: Obj, name: string) => {
      const ref = { apiVersion: owner.apiVersion ?? 'v1', kind: owner.kind ?? 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid, blockOwnerDeletion: true };
      const r = await k.post(CM(gns), cm(name, { metadata: { ownerReferences: [ref] } }));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    // Background: the owner goes at once, dependents after.
    const bg = (await k.post(VM(gns), vm('bg'))).body;
    await owned(bg, 'bg-dep1');
    await owned(bg, 'bg-dep2');
    assert.equal((await k.del(`${VM(gns)}/bg`, { propagationPolicy: 'Background' })).status, 200);
    await k.gone(`${CM(gns)}/bg-dep1`);
    await k.gone(`${CM(gns)}/bg-dep2`);
    // Foreground: the owner waits (deletionTimestamp + foregroundDeletion) until dependents are gone.
    const fg = (await k.post(CM(gns), cm('fg'))).body;
    await owned(fg, 'fg-dep');
    const fgDel = await k.del(`${CM(gns)}/fg`, { propagationPolicy: 'Foreground' });
    assert.equal(fgDel.status, 200);
    assert.ok(fgDel.body.metadata.deletionTimestamp);
    assert.ok(fgDel.body.metadata.finalizers.includes('foregroundDeletion'));
    await k.gone(`${CM(gns)}/fg-dep`);
    await k.gone(`${CM(gns)}/fg`);
    // Orphan: dependents stay, without the owner reference.
    const or = (await k.post(CM(gns), cm('or'))).body;
    await owned(or, 'or-dep');
    assert.equal((await k.del(`${CM(gns)}/or`, { propagationPolicy: 'Orphan' })).status, 200);
    await k.gone(`${CM(gns)}/or`);
    const dep = await k.get(`${CM(gns)}/or-dep`);
    assert.equal(dep.status, 200);
    assert.equal(dep.body.metadata.ownerReferences, undefined);
  });

  await t.test('namespace deletion: Terminating, no new content, contents removed, then gone', async () => {
    const dns = await newNamespace('del');
    await k.post(CM(dns), cm('a'));
    await k.post(VM(dns), vm('v'));
    await k.post(CM(dns), cm('held', { metadata: { finalizers: ['contract.dicot.io/hold'] } }));
    const del = await k.del(`/api/v1/namespaces/${dns}`);
    assert.equal(del.status, 200);
    assert.equal(del.body.status.phase, 'Terminating');
    const ns1 = await k.get(`/api/v1/namespaces/${dns}`);
    assert.ok(ns1.body.metadata.deletionTimestamp);
    const denied = await k.post(CM(dns), cm('new'));
    assert.equal(denied.status, 403);
    assert.equal(denied.body.reason, 'Forbidden');
    assert.equal(denied.body.message, `configmaps "new" is forbidden: unable to create new content in namespace ${dns} because it is being terminated`);
    await k.gone(`${CM(dns)}/a`);
    await k.gone(`${VM(dns)}/v`);
    await k.until('the held object to be marked deleting', async () =>
      (await k.get(`${CM(dns)}/held`)).body.metadata?.deletionTimestamp ? true : undefined,
    );
    assert.equal((await k.get(`/api/v1/namespaces/${dns}`)).status, 200);
    await k.patch(`${CM(dns)}/held`, { metadata: { finalizers: null } }, MERGE);
    await k.gone(`/api/v1/namespaces/${dns}`);
  });

  await t.test('authentication, RBAC and impersonation with Kubernetes wording', async () => {
    const rns = await newNamespace('rbac');
    const alice = `alice-${run}`;
    const as = { user: alice, groups: ['contract-users'] };
    assert.equal((await k.get('/api', { token: 'not-a-token' })).status, 401);
    const unauth = await k.get('/api/v1/namespaces', { token: 'not-a-token' });
    assert.equal(unauth.body.reason, 'Unauthorized');
    // Discovery is open to every authenticated user.
    assert.equal((await k.get('/apis', { as })).status, 200);
    const denied = await k.get(CM(rns), { as });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.reason, 'Forbidden');
    assert.equal(denied.body.message, `configmaps is forbidden: User "${alice}" cannot list resource "configmaps" in API group "" in the namespace "${rns}"`);
    assert.deepEqual(denied.body.details, { kind: 'configmaps' });
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'cm-reader' },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get'], resourceNames: ['allowed'] },
        { apiGroups: ['kubevirt.io'], resources: ['virtualmachines/status'], verbs: ['patch'] },
      ],
    };
    assert.equal((await k.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${rns}/roles`, role)).status, 201);
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'cm-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'contract-users' }],
    };
    assert.equal((await k.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${rns}/rolebindings`, binding)).status, 201);
    await k.until('the binding to take effect', async () => ((await k.get(CM(rns), { as })).status === 200 ? true : undefined));
    const create = await k.post(CM(rns), cm('x'), { as });
    assert.equal(create.body.message, `configmaps is forbidden: User "${alice}" cannot create resource "configmaps" in API group "" in the namespace "${rns}"`);
    const vmDenied = await k.get(`${VM(rns)}/other`, { as });
    assert.equal(vmDenied.status, 403);
    assert.equal(
      vmDenied.body.message,
      `virtualmachines.kubevirt.io "other" is forbidden: User "${alice}" cannot get resource "virtualmachines" in API group "kubevirt.io" in the namespace "${rns}"`,
    );
    assert.deepEqual(vmDenied.body.details, { name: 'other', group: 'kubevirt.io', kind: 'virtualmachines' });
    assert.equal((await k.get(`${VM(rns)}/allowed`, { as })).status, 404);
    const sub = await k.put(`${VM(rns)}/allowed/status`, {}, { as });
    assert.equal(
      sub.body.message,
      `virtualmachines.kubevirt.io "allowed" is forbidden: User "${alice}" cannot update resource "virtualmachines/status" in API group "kubevirt.io" in the namespace "${rns}"`,
    );
    const nodes = await k.get('/api/v1/nodes', { as });
    assert.equal(nodes.body.message, `nodes is forbidden: User "${alice}" cannot list resource "nodes" in API group "" at the cluster scope`);
    // Access reviews answer from the same rules.
    const ssar = await k.post(
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: rns, verb: 'list', resource: 'configmaps' } } },
      { as },
    );
    assert.equal(ssar.status, 201);
    assert.equal(ssar.body.status.allowed, true);
    const sar = await k.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: alice, groups: ['contract-users'], resourceAttributes: { namespace: rns, verb: 'delete', resource: 'configmaps' } },
    });
    assert.equal(sar.body.status.allowed, false);
    // The aggregated `view` ClusterRole (with KubeVirt's rules) through a RoleBinding.
    await k.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${rns}/rolebindings`, {
      ...binding,
      metadata: { name: 'viewers' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: alice }],
    });
    await k.until('view to apply', async () => ((await k.get(VM(rns), { as })).status === 200 ? true : undefined));
    assert.equal((await k.get(`/api/v1/namespaces/${rns}/secrets`, { as })).status, 403);
    // Impersonating without the impersonate verb.
    if (opts.unprivileged) {
      const bob = opts.unprivileged;
      const imp = await k.get(CM(rns), { token: bob.token, as: { user: alice } });
      assert.equal(imp.status, 403);
      assert.equal(imp.body.message, `users "${alice}" is forbidden: User "${bob.user}" cannot impersonate resource "users" in API group "" at the cluster scope`);
      const impRole = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: `ct-${run}-impersonator` },
        rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: [alice] }],
      };
      await k.post('/apis/rbac.authorization.k8s.io/v1/clusterroles', impRole);
      await k.post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `ct-${run}-impersonator` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: impRole.metadata.name },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: bob.user }],
      });
      try {
        await k.until('impersonation to be allowed', async () =>
          (await k.get(VM(rns), { token: bob.token, as: { user: alice } })).status === 200 ? true : undefined,
        );
        const group = await k.get(CM(rns), { token: bob.token, as: { user: alice, groups: ['contract-users'] } });
        assert.equal(group.status, 403);
        assert.equal(group.body.message, `groups "contract-users" is forbidden: User "${bob.user}" cannot impersonate resource "groups" in API group "" at the cluster scope`);
        const other = await k.get(CM(rns), { token: bob.token, as: { user: 'someone-else' } });
        assert.equal(other.status, 403);
      } finally {
        await k.del(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/ct-${run}-impersonator`);
        await k.del(`/apis/rbac.authorization.k8s.io/v1/clusterroles/ct-${run}-impersonator`);
      }
    }
  });

  await t.test('RBAC escalation prevention: granting or binding rights not held is 403 unless escalate/bind', async () => {
    const ens = await newNamespace('escalate');
    const erin = `erin-${run}`;
    const as = { user: erin, groups: ['contract-users'] };
    const RB = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ens}`;
    const role = (name: string, rules: object[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules });
    const bindTo = (name: string, kind: string, ref: string, user: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: ref },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    });
    const rbacWriter = { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get', 'create'] };
    const cmRead = { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] };
    assert.equal((await k.post(`${RB}/roles`, role('erin', [rbacWriter, cmRead]))).status, 201);
    assert.equal((await k.post(`${RB}/rolebindings`, bindTo('erin', 'Role', 'erin', erin))).status, 201);
    await k.until('the binding to take effect', async () => ((await k.get(CM(ens), { as })).status === 200 ? true : undefined));
    assert.equal((await k.post(`${RB}/roles`, role('narrow', [{ ...cmRead, verbs: ['get'] }]), { as })).status, 201, 'rights held may be granted');
    const wide = await k.post(`${RB}/roles`, role('wide', [{ ...cmRead, verbs: ['get', 'delete'] }]), { as });
    assert.equal(wide.status, 403);
    assert.equal(wide.body.reason, 'Forbidden');
    assert.deepEqual(wide.body.details, { name: 'wide', group: 'rbac.authorization.k8s.io', kind: 'roles' });
    const head = `roles.rbac.authorization.k8s.io "wide" is forbidden: user "${erin}" (groups=`;
    assert.ok(wide.body.message.startsWith(head), wide.body.message);
    assert.ok(wide.body.message.endsWith(') is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}'), wide.body.message);
    assert.equal((await k.get(`${RB}/roles/wide`)).status, 404, 'nothing written');
    const toEdit = await k.post(`${RB}/rolebindings`, bindTo('edit', 'ClusterRole', 'edit', erin), { as });
    assert.equal(toEdit.status, 403);
    assert.ok(toEdit.body.message.startsWith(`rolebindings.rbac.authorization.k8s.io "edit" is forbidden: user "${erin}" (groups=`), toEdit.body.message);
    assert.equal((await k.post(`${RB}/rolebindings`, bindTo('narrow', 'Role', 'narrow', `${erin}-friend`), { as })).status, 201);
    // escalate on roles, and bind on the edit ClusterRole only.
    await k.post(`${RB}/roles`, role('erin-delegate', [
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['edit'] },
    ]));
    await k.post(`${RB}/rolebindings`, bindTo('erin-delegate', 'Role', 'erin-delegate', erin));
    await k.until('escalate to apply', async () => ((await k.post(`${RB}/roles`, role('wide', [{ ...cmRead, verbs: ['get', 'delete'] }]), { as })).status === 201 ? true : undefined));
    assert.equal((await k.post(`${RB}/rolebindings`, bindTo('edit', 'ClusterRole', 'edit', erin), { as })).status, 201);
    assert.equal((await k.post(`${RB}/rolebindings`, bindTo('admin', 'ClusterRole', 'admin', erin), { as })).status, 403);
  });

  // The gateway's own role relies on this (src/identity/cluster-roles.ts, gatewayRules).
  await t.test('escalate and bind limited by resourceNames: named writes and bindings only, never a create', async () => {
    const ns = await newNamespace('named');
    const fay = `fay-${run}`;
    const as = { user: fay };
    const RB = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}`;
    const role = (name: string, rules: object[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules });
    const bindTo = (name: string, ref: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ref },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `${fay}-friend` }],
    });
    const wide = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }];
    await k.post(`${RB}/roles`, role('fay', [
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get', 'create', 'update', 'patch'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate', 'bind'], resourceNames: ['granted'] },
    ]));
    await k.post(`${RB}/rolebindings`, { ...bindTo('fay', 'fay'), subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: fay }] });
    await k.until("the binding to take effect", async () => ((await k.get(`${RB}/roles/fay`, { as })).status === 200 ? true : undefined));
    // A create names no object in its URL, so `escalate` on the name does not cover it.
    const created = await k.post(`${RB}/roles`, role('granted', wide), { as });
    assert.equal(created.status, 403, JSON.stringify(created.body));
    assert.ok(created.body.message.includes('is attempting to grant RBAC permissions not currently held'), created.body.message);
    assert.equal((await k.post(`${RB}/roles`, role('granted', []), { as })).status, 201, 'an empty role grants nothing');
    const named = await k.patch(`${RB}/roles/granted`, { rules: wide }, MERGE, { as });
    assert.equal(named.status, 200, JSON.stringify(named.body));
    assert.deepEqual(named.body.rules, wide);
    const put = await k.put(`${RB}/roles/granted`, { ...named.body, rules: [...wide, { apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }, { as });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal((await k.post(`${RB}/roles`, role('other', []), { as })).status, 201);
    assert.equal((await k.patch(`${RB}/roles/other`, { rules: wide }, MERGE, { as })).status, 403, 'escalate names one role');
    // `bind` on the name covers a binding's create: the roleRef names the role.
    assert.equal((await k.post(`${RB}/rolebindings`, bindTo('to-granted', 'granted'), { as })).status, 201);
    assert.equal((await k.post(`${RB}/roles`, role('wide', wide))).status, 201);
    assert.equal((await k.post(`${RB}/rolebindings`, bindTo('to-wide', 'wide'), { as })).status, 403, 'bind names one role');
  });

  await t.test('CustomResourceDefinition deletion removes its instances and stops serving', async () => {
    assert.equal((await k.post(W(ns), widget('left-over'))).status, 201);
    assert.equal((await k.del(crdPath)).status, 200);
    await k.gone(crdPath);
    await k.until('the group to stop being served', async () => ((await k.get(W(ns))).status === 404 ? true : undefined));
  });

  await t.test('server-side printing: Table for kubectl get', async () => {
    await k.post(VM(ns), vm('table-vm'));
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const r = await k.get(`${VM(ns)}?limit=500`, { accept });
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'Table');
    const cols = r.body.columnDefinitions.map((c: Obj) => c.name);
    assert.equal(cols[0], 'Name');
    assert.ok(cols.includes('Age'));
    const row = r.body.rows.find((x: Obj) => x.cells[0] === 'table-vm');
    assert.ok(row);
    assert.equal(row.object.metadata.name, 'table-vm');
    await k.del(`${VM(ns)}/table-vm`);
  });

  await t.test('KubeVirt subresources through the API server: start/stop/pause and their 409s', async () => {
    const sub = `/apis/subresources.kubevirt.io/v1/namespaces/${ns}`;
    const VMI = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
    assert.ok((await k.get('/apis/subresources.kubevirt.io/v1')).body.resources.some((r: Obj) => r.name === 'virtualmachines/start'));
    assert.equal((await k.post(VM(ns), vm('life', { spec: { runStrategy: 'Always' } }))).status, 201);
    const running = async () => ((await k.get(`${VMI}/life`)).body.status?.phase === 'Running' ? true : undefined);
    await k.until('the VMI to run', running, 60_000);
    const start = await k.put(`${sub}/virtualmachines/life/start`, {});
    assert.equal(start.status, 409);
    assert.equal(start.body.reason, 'Conflict');
    const pause = await k.put(`${sub}/virtualmachineinstances/life/pause`, {});
    assert.equal(pause.status, 200, JSON.stringify(pause.body));
    await k.until('the VMI to be paused', async () =>
      (await k.get(`${VMI}/life`)).body.status?.conditions?.some((c: Obj) => c.type === 'Paused' && c.status === 'True') ? true : undefined,
    );
    assert.equal((await k.put(`${sub}/virtualmachineinstances/life/pause`, {})).status, 409);
    assert.equal((await k.put(`${sub}/virtualmachineinstances/life/unpause`, {})).status, 200);
    const stop = await k.put(`${sub}/virtualmachines/life/stop`, {});
    assert.equal(stop.status, 202, JSON.stringify(stop.body));
    assert.equal((await k.get(`${VM(ns)}/life`)).body.spec.runStrategy, 'Halted');
    await k.gone(`${VMI}/life`);
    assert.equal((await k.put(`${sub}/virtualmachines/life/stop`, {})).status, 409);
    const missing = await k.put(`${sub}/virtualmachines/nope/start`, {});
    assert.equal(missing.status, 404, JSON.stringify(missing.body));
    const eve = { user: `eve-${run}` };
    const denied = await k.put(`${sub}/virtualmachines/life/start`, {}, { as: eve });
    assert.equal(denied.status, 403);
    assert.equal(
      denied.body.message,
      `virtualmachines.subresources.kubevirt.io "life" is forbidden: User "${eve.user}" cannot update resource "virtualmachines/start" in API group "subresources.kubevirt.io" in the namespace "${ns}"`,
    );
    assert.equal((await k.put(`${sub}/virtualmachines/life/start`, {})).status, 202);
    assert.equal((await k.get(`${VM(ns)}/life`)).body.spec.runStrategy, 'Always');
    await k.del(`${VM(ns)}/life`);
    await k.gone(`${VMI}/life`);
  });

  await t.test('cleanup: contract namespaces are deleted', async () => {
    for (const n of namespaces) await k.del(`/api/v1/namespaces/${n}`);
    for (const n of namespaces) await k.gone(`/api/v1/namespaces/${n}`);
  });
}
