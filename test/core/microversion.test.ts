import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiFault } from '../../src/core/faults.ts';
import { ApiVersion, negotiateVersion } from '../../src/core/microversion.ts';

const spec = { service: 'compute', min: '2.1', max: '2.79', legacyHeader: 'X-OpenStack-Nova-API-Version' } as const;
const negotiate = (headers: Record<string, string>) => negotiateVersion(spec, new Headers(headers)).toString();

describe('microversions', () => {
  test('no header means the minimum', () => assert.equal(negotiate({}), '2.1'));
  test('the new header, among other services', () =>
    assert.equal(negotiate({ 'OpenStack-API-Version': 'volume 3.5, compute 2.53' }), '2.53'));
  test('the legacy header', () => assert.equal(negotiate({ 'X-OpenStack-Nova-API-Version': '2.10' }), '2.10'));
  test('the new header wins over the legacy one', () =>
    assert.equal(negotiate({ 'OpenStack-API-Version': 'compute 2.20', 'X-OpenStack-Nova-API-Version': '2.10' }), '2.20'));
  test('latest is the maximum', () => assert.equal(negotiate({ 'OpenStack-API-Version': 'compute latest' }), '2.79'));
  test('another service only means the minimum', () => assert.equal(negotiate({ 'OpenStack-API-Version': 'volume 3.5' }), '2.1'));
  test('out of range is 406', () => {
    for (const v of ['2.80', '2.0', '3.1']) {
      assert.throws(
        () => negotiate({ 'OpenStack-API-Version': `compute ${v}` }),
        (e: unknown) => e instanceof ApiFault && e.status === 406,
      );
    }
  });
  test('garbage is 400', () =>
    assert.throws(
      () => negotiate({ 'OpenStack-API-Version': 'compute two' }),
      (e: unknown) => e instanceof ApiFault && e.status === 400,
    ));
  test('comparison is numeric, not lexical', () => {
    const v = ApiVersion.parse('2.10') as ApiVersion;
    assert.ok(v.atLeast('2.9'));
    assert.ok(!v.atLeast('2.11'));
    assert.equal(v.compare('2.10'), 0);
  });
});
