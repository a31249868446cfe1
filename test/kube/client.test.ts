import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  GoneError,
  InvalidError,
  type KubeError,
  NotFoundError,
  R,
  TimeoutError,
  UnavailableError,
  createKubeClient,
} from '../../src/kube/index.ts';
import { type Answer, fakeFetch, json, status } from './fake-fetch.ts';

function setup(answers: Answer[], extra: { token?: string | (() => string); timeoutMs?: number } = {}) {
  const fake = fakeFetch(...answers);
  const sleeps: number[] = [];
  const client = createKubeClient({
    server: 'https://k8s.example:6443/',
    fetch: fake.fetch,
    token: extra.token ?? 'tok',
    timeoutMs: extra.timeoutMs,
    retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 2000 },
    userAgent: 'dicot-test',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { client, requests: fake.requests, sleeps };
}

const vm = { metadata: { name: 'vm1', namespace: 'p1' }, spec: {} };

describe('URL building', () => {
  it('core, group, namespaced and cluster-scoped paths', async () => {
    const { client, requests } = setup([json({}), json({}), json({}), json({ items: [], metadata: {} })]);
    await client.get(R.secrets, 'a b', { namespace: 'ns/x' });
    await client.get(R.nodes, 'n1');
    await client.get(R.virtualMachines, 'vm1', { namespace: 'p1' });
    await client.list(R.virtualMachines, { labelSelector: 'a=b,c in (d,e)', fieldSelector: 'metadata.name=x', limit: 5 });
    assert.deepEqual(
      requests.map((r) => r.url.pathname),
      [
        '/api/v1/namespaces/ns%2Fx/secrets/a%20b',
        '/api/v1/nodes/n1',
        '/apis/kubevirt.io/v1/namespaces/p1/virtualmachines/vm1',
        '/apis/kubevirt.io/v1/virtualmachines',
      ],
    );
    const q = requests[3]!.url.searchParams;
    assert.equal(q.get('labelSelector'), 'a=b,c in (d,e)');
    assert.equal(q.get('fieldSelector'), 'metadata.name=x');
    assert.equal(q.get('limit'), '5');
  });

  it('refuses a namespaced get without a namespace', async () => {
    const { client } = setup([]);
    await assert.rejects(client.get(R.secrets, 'x'), TypeError);
  });

  it('subresources under another group', async () => {
    const { client, requests } = setup([new Response(null, { status: 202 })]);
    const out = await client.subresource('PUT', R.virtualMachines, 'vm1', 'start', {
      namespace: 'p1',
      group: 'subresources.kubevirt.io',
      version: 'v1',
      body: {},
    });
    assert.equal(out, undefined);
    assert.equal(requests[0]!.method, 'PUT');
    assert.equal(requests[0]!.url.pathname, '/apis/subresources.kubevirt.io/v1/namespaces/p1/virtualmachines/vm1/start');
  });
});

describe('requests', () => {
  it('sends auth, user agent, impersonation with repeated groups', async () => {
    let n = 0;
    const { client, requests } = setup([json({}), json({})], { token: () => `t${++n}` });
    await client.get(R.nodes, 'n1');
    await client.as('alice', ['g1', 'g2']).get(R.nodes, 'n1');
    assert.equal(requests[0]!.headers.get('authorization'), 'Bearer t1');
    assert.equal(requests[0]!.headers.get('impersonate-user'), null);
    assert.equal(requests[0]!.headers.get('user-agent'), 'dicot-test');
    assert.equal(requests[1]!.headers.get('authorization'), 'Bearer t2', 'token function re-read per request');
    assert.equal(requests[1]!.headers.get('impersonate-user'), 'alice');
    assert.equal(requests[1]!.headers.get('impersonate-group'), 'g1, g2');
  });

  it('create fills apiVersion and kind and takes the namespace from the object', async () => {
    const { client, requests } = setup([json(vm, 201)]);
    await client.create(R.virtualMachines, vm, { dryRun: true });
    const r = requests[0]!;
    assert.equal(r.method, 'POST');
    assert.equal(r.url.pathname, '/apis/kubevirt.io/v1/namespaces/p1/virtualmachines');
    assert.equal(r.url.searchParams.get('dryRun'), 'All');
    assert.deepEqual(JSON.parse(r.body!), { ...vm, apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' });
    assert.equal(r.headers.get('content-type'), 'application/json');
  });

  it('patch content types and status subresource', async () => {
    const { client, requests } = setup([json({}), json({}), json({})]);
    await client.patch(R.virtualMachines, 'vm1', { spec: { runStrategy: 'Always' } }, { namespace: 'p1', type: 'merge' });
    await client.patch(R.virtualMachines, 'vm1', [{ op: 'remove', path: '/spec/x' }], { namespace: 'p1', type: 'json' });
    await client.patchStatus(R.virtualMachines, 'vm1', { status: { ready: true } }, { namespace: 'p1', type: 'merge' });
    assert.deepEqual(
      requests.map((r) => [r.method, r.headers.get('content-type')]),
      [
        ['PATCH', 'application/merge-patch+json'],
        ['PATCH', 'application/json-patch+json'],
        ['PATCH', 'application/merge-patch+json'],
      ],
    );
    assert.equal(requests[2]!.url.pathname, '/apis/kubevirt.io/v1/namespaces/p1/virtualmachines/vm1/status');
  });

  it('delete sends DeleteOptions', async () => {
    const { client, requests } = setup([json({ kind: 'Status', status: 'Success' })]);
    await client.delete(R.virtualMachines, 'vm1', {
      namespace: 'p1',
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u1' },
    });
    assert.equal(requests[0]!.method, 'DELETE');
    assert.deepEqual(JSON.parse(requests[0]!.body!), {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u1' },
    });
  });

  it('listAll follows continue tokens', async () => {
    const { client, requests } = setup([
      json({ metadata: { resourceVersion: '7', continue: 'c1' }, items: [{ n: 1 }] }),
      json({ metadata: { resourceVersion: '7', continue: 'c2' }, items: [{ n: 2 }] }),
      json({ metadata: { resourceVersion: '7' }, items: [{ n: 3 }] }),
    ]);
    const all = await client.listAll(R.pvcs, { namespace: 'p1' });
    assert.deepEqual(all.items, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.equal(all.metadata.resourceVersion, '7');
    assert.deepEqual(
      requests.map((r) => [r.url.searchParams.get('limit'), r.url.searchParams.get('continue')]),
      [
        ['500', null],
        ['500', 'c1'],
        ['500', 'c2'],
      ],
    );
  });
});

describe('errors', () => {
  const cases: [Response, new (...a: never[]) => KubeError, string][] = [
    [status(404, 'NotFound', 'virtualmachines "x" not found'), NotFoundError, 'NotFound'],
    [status(409, 'AlreadyExists', 'exists'), AlreadyExistsError, 'AlreadyExists'],
    [status(409, 'Conflict', 'the object has been modified'), ConflictError, 'Conflict'],
    [status(403, 'Forbidden', 'no'), ForbiddenError, 'Forbidden'],
    [status(410, 'Expired', 'too old'), GoneError, 'Expired'],
    [new Response('<html>bad gateway</html>', { status: 502 }), UnavailableError, 'Unknown'],
    [new Response('plain words', { status: 403 }), ForbiddenError, 'Forbidden'],
  ];
  for (const [res, Cls, reason] of cases) {
    it(`${res.status} ${reason} → ${Cls.name}`, async () => {
      const { client } = setup([res]);
      const err = await client.create(R.virtualMachines, vm).then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof Cls, String(err));
      assert.equal((err as KubeError).code, res.status);
      assert.equal((err as KubeError).reason, reason);
    });
  }

  it('an AlreadyExistsError is a ConflictError too; non-JSON bodies become the message', async () => {
    const { client } = setup([new Response('plain words', { status: 403 })]);
    await assert.rejects(client.get(R.nodes, 'n'), { message: 'plain words' });
    assert.ok(new AlreadyExistsError(409, 'AlreadyExists', 'x') instanceof ConflictError);
  });

  it('422 exposes its causes', async () => {
    const causes = [{ field: 'spec.template.spec.domain.cpu', reason: 'FieldValueInvalid', message: 'conflict' }];
    const { client } = setup([status(422, 'Invalid', 'bad', { details: { causes } })]);
    const err = await client.create(R.virtualMachines, vm).catch((e: unknown) => e);
    assert.ok(err instanceof InvalidError);
    assert.deepEqual(err.causes, causes);
  });
});

describe('retries', () => {
  it('retries a GET on 503 and 429, honouring Retry-After', async () => {
    const { client, requests, sleeps } = setup([
      status(503, 'ServiceUnavailable', 'down'),
      status(429, 'TooManyRequests', 'slow down', {}),
      json({ metadata: { name: 'n1' } }),
    ]);
    const got = await client.get(R.nodes, 'n1');
    assert.deepEqual(got, { metadata: { name: 'n1' } });
    assert.equal(requests.length, 3);
    assert.equal(sleeps.length, 2);
    assert.ok(sleeps[0]! >= 50 && sleeps[0]! <= 100, `first backoff ${sleeps[0]}`);
    assert.ok(sleeps[1]! >= 100 && sleeps[1]! <= 200, `second backoff ${sleeps[1]}`);
  });

  it('waits exactly Retry-After seconds when the server says so', async () => {
    const { client, sleeps } = setup([
      new Response('{"kind":"Status","code":429}', { status: 429, headers: { 'Retry-After': '1' } }),
      json({}),
    ]);
    await client.list(R.nodes);
    assert.deepEqual(sleeps, [1000]);
  });

  it('gives up when Retry-After exceeds the policy', async () => {
    const { client, requests } = setup([
      new Response('{"kind":"Status","code":429,"reason":"TooManyRequests"}', {
        status: 429,
        headers: { 'Retry-After': '60' },
      }),
    ]);
    await assert.rejects(client.list(R.nodes), { name: 'TooManyRequestsError' });
    assert.equal(requests.length, 1);
  });

  it('retries a GET after a network error and stops after the attempts', async () => {
    const { client, requests } = setup([new TypeError('fetch failed'), new TypeError('fetch failed'), new TypeError('fetch failed')]);
    const err = await client.get(R.nodes, 'n1').catch((e: unknown) => e);
    assert.ok(err instanceof UnavailableError);
    assert.match(err.message, /fetch failed/);
    assert.equal(requests.length, 3);
  });

  it('never retries a create, patch or delete', async () => {
    const { client, requests } = setup([
      new TypeError('fetch failed'),
      status(503, 'ServiceUnavailable', 'down'),
      status(500, 'InternalError', 'boom'),
    ]);
    await assert.rejects(client.create(R.virtualMachines, vm), UnavailableError);
    await assert.rejects(client.patch(R.virtualMachines, 'vm1', {}, { namespace: 'p1', type: 'merge' }), UnavailableError);
    await assert.rejects(client.delete(R.virtualMachines, 'vm1', { namespace: 'p1' }), { code: 500 });
    assert.equal(requests.length, 3);
  });

  it('times out through AbortSignal', async () => {
    const never = () => new Promise<Response>(() => {});
    const { client } = setup([never, never, never], { timeoutMs: 5 });
    // AbortSignal.timeout's timer does not hold the event loop open; a real socket would.
    const keepAlive = setTimeout(() => {}, 60_000);
    const err = await client.get(R.nodes, 'n1').catch((e: unknown) => e);
    clearTimeout(keepAlive);
    assert.ok(err instanceof TimeoutError, String(err));
    assert.ok(err instanceof UnavailableError);
  });

  it("the caller's abort is not retried and surfaces as the abort reason", async () => {
    const never = () => new Promise<Response>(() => {});
    const { client, requests } = setup([never, never]);
    const ac = new AbortController();
    const p = client.get(R.nodes, 'n1', { signal: ac.signal });
    ac.abort(new Error('stop'));
    await assert.rejects(p, { message: 'stop' });
    assert.equal(requests.length, 1);
  });
});
