import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Flavor } from '../../src/compute/flavors.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import { hoursFor, parseUsageTime, tenantUsages } from '../../src/compute/usage.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, api } from './helpers.ts';
import { computeGateway, IMAGE, waitActive } from './servers-helpers.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('usage: mapping', () => {
  test("Nova's time formats; anything else is a 400", () => {
    assert.equal(parseUsageTime('2026-01-01T00:00:00', 5), T0);
    assert.equal(parseUsageTime('2026-01-01T00:00:00.250000', 5), T0 + 250);
    assert.equal(parseUsageTime('2026-01-01 00:00:00.5', 5), T0 + 500);
    assert.equal(parseUsageTime(null, 5), 5);
    assert.throws(() => parseUsageTime('yesterday', 5), /invalid format/);
  });

  test('hours inside the period; totals weighted by flavor size', () => {
    assert.equal(hoursFor(T0, T0 - H, T0 + 2 * H), 2);
    assert.equal(hoursFor(T0 - 5 * H, T0, T0 + H), 1);
    assert.equal(hoursFor(T0 + 3 * H, T0, T0 + H), 0);
    const flavor = { id: 'f1', name: 'small', vcpus: 2, ram: 1024, disk: 10, ephemeral: 5 } as Flavor;
    const server = (id: string, project: string, launchedAt: string | null) =>
      ({ id, name: `s-${id}`, projectId: project, flavorId: 'f1', launchedAt, state: { vmState: 'active' } }) as unknown as ServerRecord;
    const out = tenantUsages(
      [server('a', 'p1', new Date(T0).toISOString()), server('b', 'p1', new Date(T0 + H).toISOString()), server('c', 'p2', null), server('d', 'p3', new Date(T0 + 9 * H).toISOString())],
      new Map([['f1', flavor]]),
      T0,
      T0 + 2 * H,
      T0 + 2 * H,
      true,
    );
    assert.equal(out.length, 1, 'never launched, or launched after the period: not counted');
    const u = out[0];
    assert.equal(u?.tenant_id, 'p1');
    assert.equal(u?.total_hours, 3);
    assert.equal(u?.total_vcpus_usage, 6);
    assert.equal(u?.total_memory_mb_usage, 3072);
    assert.equal(u?.total_local_gb_usage, 45);
    assert.equal(u?.start, '2026-01-01T00:00:00.000000');
    assert.deepEqual(
      u?.server_usages?.map((s) => [s.instance_id, s.hours, s.flavor, s.local_gb, s.uptime, s.ended_at]),
      [
        ['a', 2, 'small', 15, 7200, null],
        ['b', 1, 'small', 15, 3600, null],
      ],
    );
    assert.equal('server_usages' in (tenantUsages([server('a', 'p1', new Date(T0).toISOString())], new Map(), T0, T0 + H, T0, false)[0] ?? {}), false);
  });
});

describe('usage: /os-simple-tenant-usage', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let project: string;
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
    project = (await api(gw, demo, 'GET', '/identity/v3/auth/tokens', undefined, { 'x-subject-token': demo })).body.token.project.id;
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'u1', imageRef: IMAGE, flavorRef: 'u1.small' } });
    await waitActive(gw, demo, r.body.server.id);
  });
  after(() => gw.close());

  test('admins list every project; members see their own; Nova faults', async () => {
    const now = Date.now();
    const q = `start=${new Date(now - 86_400_000).toISOString().slice(0, 19)}&end=${new Date(now + 86_400_000).toISOString().slice(0, 19)}`;
    assert.equal((await api(gw, demo, 'GET', `${C}/os-simple-tenant-usage?${q}`)).status, 403);
    const list = await api(gw, admin, 'GET', `${C}/os-simple-tenant-usage?${q}&detailed=1`);
    assert.equal(list.status, 200);
    const mine = list.body.tenant_usages.find((t: { tenant_id: string }) => t.tenant_id === project);
    assert.deepEqual(Object.keys(mine).sort(), ['server_usages', 'start', 'stop', 'tenant_id', 'total_hours', 'total_local_gb_usage', 'total_memory_mb_usage', 'total_vcpus_usage']);
    assert.equal(mine.server_usages[0].name, 'u1');
    assert.equal(mine.server_usages[0].vcpus, 1);
    assert.ok(mine.total_hours > 23 && mine.total_hours <= 24);
    const own = await api(gw, demo, 'GET', `${C}/os-simple-tenant-usage/${project}?${q}`);
    assert.equal(own.status, 200);
    assert.equal(own.body.tenant_usage.server_usages.length, 1);
    assert.equal((await api(gw, demo, 'GET', `${C}/os-simple-tenant-usage/someone-else?${q}`)).status, 403);
    assert.deepEqual((await api(gw, admin, 'GET', `${C}/os-simple-tenant-usage/no-such-project?${q}`)).body, { tenant_usage: {} });
    const swapped = `start=${new Date(now + 86_400_000).toISOString().slice(0, 19)}&end=${new Date(now - 86_400_000).toISOString().slice(0, 19)}`;
    assert.equal((await api(gw, admin, 'GET', `${C}/os-simple-tenant-usage/${project}?${swapped}`)).status, 400);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-simple-tenant-usage?start=nonsense`)).status, 400);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-simple-tenant-usage/?${q}`)).status, 404, 'an empty project id');
  });
});
