import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMetrics, kubeCallOf } from '../../src/core/metrics.ts';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';

test('Kubernetes calls are named by verb and resource as the API server names them', () => {
  const at = (m: string, u: string) => kubeCallOf(m, `https://k8s:6443${u}`);
  assert.deepEqual(at('GET', '/api/v1/namespaces/p1/secrets'), { verb: 'list', resource: 'secrets' });
  assert.deepEqual(at('GET', '/api/v1/namespaces/p1/secrets?watch=true'), { verb: 'watch', resource: 'secrets' });
  assert.deepEqual(at('POST', '/apis/kubevirt.io/v1/namespaces/p1/virtualmachines'), { verb: 'create', resource: 'virtualmachines.kubevirt.io' });
  assert.deepEqual(at('PUT', '/apis/subresources.kubevirt.io/v1/namespaces/p1/virtualmachines/vm/start'), {
    verb: 'update',
    resource: 'virtualmachines.subresources.kubevirt.io/start',
  });
  assert.deepEqual(at('GET', '/readyz'), { verb: 'get', resource: 'nonresource' });
});

test('counters and histograms render in the Prometheus text format', () => {
  const m = createMetrics();
  m.request({ service: 'compute', route: '/:region/compute/v2.1/servers', method: 'GET', status: 200 }, 0.02);
  m.request({ service: 'compute', route: '/:region/compute/v2.1/servers', method: 'GET', status: 200 }, 3);
  m.kube({ verb: 'list', resource: 'secrets', code: '200' }, 0.004);
  m.tokenValidation('invalid');
  const text = m.render();
  assert.match(text, /^# TYPE dicot_http_requests_total counter$/m);
  assert.match(text, /^dicot_http_requests_total\{service="compute",route="\/:region\/compute\/v2\.1\/servers",method="GET",status="200"\} 2$/m);
  assert.match(text, /^dicot_http_request_duration_seconds_bucket\{.*le="0\.025"\} 1$/m);
  assert.match(text, /^dicot_http_request_duration_seconds_bucket\{.*le="5"\} 2$/m);
  assert.match(text, /^dicot_http_request_duration_seconds_bucket\{.*le="\+Inf"\} 2$/m);
  assert.match(text, /^dicot_http_request_duration_seconds_sum\{.*\} 3\.02$/m);
  assert.match(text, /^dicot_kube_requests_total\{verb="list",resource="secrets",code="200"\} 1$/m);
  assert.match(text, /^dicot_token_validations_total\{result="invalid"\} 1$/m);
});

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway({ metrics: true });
});
after(() => gw?.close());

test('/metrics counts the gateway requests, its Kubernetes calls and token checks', async () => {
  const token = await gw.adminToken();
  assert.equal((await gw.request('/RegionOne/compute/v2.1/flavors', { headers: { 'x-auth-token': token } })).status, 200);
  assert.equal((await gw.request('/RegionOne/compute/v2.1/flavors', { headers: { 'x-auth-token': 'bogus' } })).status, 401);
  const res = await gw.request('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /^dicot_http_requests_total\{service="compute",route="[^"]*flavors",method="GET",status="200"\} 1$/m);
  assert.match(text, /^dicot_http_requests_total\{service="compute",route="[^"]*",method="GET",status="401"\} 1$/m);
  assert.match(text, /^dicot_kube_requests_total\{verb="list",resource="virtualmachineclusterinstancetypes\.instancetype\.kubevirt\.io",code="200"\} \d+$/m);
  assert.match(text, /^dicot_token_validations_total\{result="valid"\} \d+$/m);
  assert.match(text, /^dicot_token_validations_total\{result="invalid"\} 1$/m);
});

test('without process metrics (a Worker) /metrics is a 404', async () => {
  const plain = await startTestGateway();
  try {
    assert.equal((await plain.request('/metrics')).status, 404);
  } finally {
    await plain.close();
  }
});
