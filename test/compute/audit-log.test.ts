import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditLog, lastCompletedMonth, parseAuditTime } from '../../src/compute/audit-log.ts';
import { type TestGateway, startTestGateway } from '../helpers/gateway.ts';
import { C, api, demoToken } from './helpers.ts';

describe('instance usage audit log', () => {
  test('the last completed month; every host not run (no audit task)', () => {
    assert.deepEqual(lastCompletedMonth(Date.parse('2026-01-15T10:00:00Z')), { begin: '2025-12-01 00:00:00', end: '2026-01-01 00:00:00' });
    assert.equal(parseAuditTime('2026-03-02 04:05:06'), Date.parse('2026-03-02T04:05:06Z'));
    assert.equal(parseAuditTime('2026-03-02 04:05:06.5'), Date.parse('2026-03-02T04:05:06.500Z'));
    assert.throws(() => parseAuditTime('2026-03-02T04:05:06'), /Invalid timestamp/);
    const log = auditLog(['b', 'a'], Date.parse('2026-01-15T10:00:00Z'));
    assert.deepEqual(log.hosts_not_run, ['a', 'b']);
    assert.equal(log.overall_status, '0 of 2 hosts done. 0 errors.');
    assert.equal(log.num_hosts_not_run, 2);
  });

  describe('over the sandbox', () => {
    let gw: TestGateway;
    let admin: string;
    let demo: string;
    before(async () => {
      gw = await startTestGateway();
      admin = await gw.adminToken();
      demo = await demoToken(gw, admin);
    });
    after(() => gw.close());

    test('admins only; a bad time is a 400', async () => {
      assert.equal((await api(gw, demo, 'GET', `${C}/os-instance_usage_audit_log`)).status, 403);
      const all = await api(gw, admin, 'GET', `${C}/os-instance_usage_audit_log`);
      assert.equal(all.status, 200);
      assert.equal(all.body.instance_usage_audit_logs.num_hosts, 3);
      const one = await api(gw, admin, 'GET', `${C}/os-instance_usage_audit_log/${encodeURIComponent('2026-01-15 10:00:00')}`);
      assert.equal(one.body.instance_usage_audit_log.period_beginning, '2025-12-01 00:00:00');
      assert.equal((await api(gw, admin, 'GET', `${C}/os-instance_usage_audit_log/${encodeURIComponent('100% bad')}`)).status, 400);
      assert.equal((await api(gw, demo, 'GET', `${C}/os-instance_usage_audit_log/${encodeURIComponent('2026-01-15 10:00:00')}`)).status, 403);
    });
  });
});
