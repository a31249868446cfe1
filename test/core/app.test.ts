import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createGateway } from '../../src/app.ts';
import { parseConfig } from '../../src/config/index.ts';
import type { LogLine } from '../../src/platform.ts';
import { startTestGateway } from '../helpers/gateway.ts';

// The gateway's shared plumbing, in-process (no server, no cluster: nothing here calls one).

function gateway(publicUrl?: string) {
  const lines: LogLine[] = [];
  const unreachable = (async () => {
    throw new TypeError('no cluster in this test');
  }) as typeof fetch;
  const app = createGateway(parseConfig(publicUrl ? { publicUrl } : {}), {
    kube: { RegionOne: { server: 'http://unused', fetch: unreachable, token: () => 'gw' } },
    log: (l) => lines.push(l),
    now: Date.now,
  });
  return { app, lines };
}

describe('gateway plumbing', () => {
  test('self links come from the configured public URL', async () => {
    const { app } = gateway('https://cloud.example.com/');
    const res = await app.request('http://10.0.0.5:8080/RegionOne/network');
    const body = await res.json();
    assert.equal(body.versions[0].links[0].href, 'https://cloud.example.com/RegionOne/network/v2.0/');
  });

  test('oversized bodies are a 413 in the service format', async () => {
    const { app } = gateway();
    const big = JSON.stringify({ x: 'a'.repeat(2 * 1024 * 1024) });
    const res = await app.request('http://h/RegionOne/compute/v2.1/servers', {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).overLimit.code, 413);
  });

  test('request ids are on error responses too, and unique', async () => {
    const { app } = gateway();
    const a = await app.request('http://h/RegionOne/compute/v2.1/servers');
    const b = await app.request('http://h/RegionOne/compute/v2.1/servers');
    assert.equal(a.status, 401);
    assert.equal((await a.json()).unauthorized.code, 401);
    assert.match(a.headers.get('x-openstack-request-id') ?? '', /^req-[0-9a-f-]{36}$/);
    assert.equal(a.headers.get('x-compute-request-id'), a.headers.get('x-openstack-request-id'));
    assert.notEqual(a.headers.get('x-openstack-request-id'), b.headers.get('x-openstack-request-id'));
  });

  test('microversion headers are echoed on errors', async () => {
    const gw = await startTestGateway();
    try {
      const res = await gw.request('/RegionOne/compute/v2.1/servers/no-such-server', {
        headers: { 'X-Auth-Token': await gw.adminToken(), 'OpenStack-API-Version': 'compute 2.42' },
      });
      assert.equal(res.status, 404);
      assert.equal((await res.json()).itemNotFound.code, 404);
      assert.equal(res.headers.get('openstack-api-version'), 'compute 2.42');
      assert.equal(res.headers.get('x-openstack-nova-api-version'), '2.42');
    } finally {
      await gw.close();
    }
  });

  test('a region that is down is a 503 naming it, not a crash', async () => {
    const { app } = gateway();
    const res = await app.request('http://h/readyz');
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.regions[0].region, 'RegionOne');
    assert.equal(body.regions[0].ready, false);
  });

  test('/docs renders the OpenAPI document without external assets', async () => {
    const { app } = gateway();
    const res = await app.request('http://h/docs');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /openapi\.json/);
    assert.doesNotMatch(html, /<script src=/);
  });

  test('one JSON log line per request, without secrets', async () => {
    const { app, lines } = gateway();
    await app.request('http://h/identity/v3', { headers: { 'X-Auth-Token': 'super-secret-token' } });
    const requestLines = lines.filter((l) => l.msg === 'request');
    assert.equal(requestLines.length, 1);
    const [line] = requestLines;
    assert.equal(line?.method, 'GET');
    assert.equal(line?.status, 200);
    assert.equal(line?.route, '/identity/v3');
    assert.equal(typeof line?.durationMs, 'number');
    assert.doesNotMatch(JSON.stringify(lines), /super-secret-token/);
  });
});
