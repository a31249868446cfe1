import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/index.ts';

describe('configuration', () => {
  test('no config at all means RegionOne on the embedded sandbox', () => {
    const cfg = parseConfig(undefined);
    assert.equal(cfg.sandbox, true);
    assert.equal(cfg.identityRegion, 'RegionOne');
    assert.deepEqual(
      cfg.regions.map((r) => r.name),
      ['RegionOne'],
    );
    assert.equal(cfg.listen.port, 8080);
    assert.equal(cfg.tokens.lifetimeSeconds, 3600);
  });

  test('a region set with one identity region', () => {
    const cfg = parseConfig({
      publicUrl: 'https://cloud.example.com',
      regions: [
        { name: 'east', kubernetes: { server: 'https://10.0.0.1:6443', tokenFile: '/t' } },
        { name: 'west', identity: true, kubernetes: { kubeconfig: '/k', context: 'w' } },
      ],
    });
    assert.equal(cfg.sandbox, false);
    assert.equal(cfg.identityRegion, 'west');
  });

  const bad: [string, unknown, RegExp][] = [
    ['a bad server URL names the field and the fix', { regions: [{ name: 'r', kubernetes: { server: 'nope', token: 't' } }] }, /regions\[0\]\.kubernetes\.server: .*fix: set it to the Kubernetes API URL/],
    ['two credentials at once', { regions: [{ name: 'r', kubernetes: { server: 'https://a', token: 't', tokenFile: '/f' } }] }, /exactly one credential/],
    ['no credential source', { regions: [{ name: 'r', kubernetes: { token: 't' } }] }, /needs "server"/],
    ['two identity regions', { regions: [{ name: 'a', identity: true, kubernetes: { inCluster: true } }, { name: 'b', identity: true, kubernetes: { inCluster: true } }] }, /exactly one region/],
    ['duplicate names', { regions: [{ name: 'a', identity: true, kubernetes: { inCluster: true } }, { name: 'a', kubernetes: { inCluster: true } }] }, /unique/],
    ['a region named like a gateway path', { regions: [{ name: 'identity', kubernetes: { inCluster: true } }] }, /path the gateway uses/],
    ['a region without a cluster', { regions: [{ name: 'a' }] }, /regions\[0\]\.kubernetes: missing/],
    ['a port out of range', { listen: { port: 70000 } }, /listen\.port: .*fix: use a port number/],
    ['a wrong type', { tokens: { lifetimeSeconds: 'long' } }, /tokens\.lifetimeSeconds/],
  ];
  for (const [name, raw, message] of bad) {
    test(name, () => {
      assert.throws(() => parseConfig(raw), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    });
  }
});
