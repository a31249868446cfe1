import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Vmim, byNewest, migrationIntId, migrationsOf } from '../../src/compute/migrations.ts';
import { CA, type VirtualMachine } from '../../src/compute/model.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api, eventually } from './helpers.ts';
import { computeGateway, IMAGE, waitActive, waitStatus } from './servers-helpers.ts';

const entry = (action: string, n: number, finished = true) => ({
  action,
  request_id: `req-00000000-0000-4000-8000-00000000000${n}`,
  user_id: 'u',
  project_id: 'p',
  start_time: `2026-01-01T00:0${n}:00.000Z`,
  finish_time: finished ? `2026-01-01T00:0${n}:30.000Z` : null,
  message: null,
  result: finished ? 'Success' : null,
});
const vm = (log: unknown[]): VirtualMachine =>
  ({ metadata: { name: 'vm1', namespace: 'p1', uid: 'server-1', annotations: { [CA.actions]: JSON.stringify(log), [CA.projectId]: 'p', [CA.userId]: 'u' } }, spec: {} }) as VirtualMachine;
const vmim = (uid: string, request: string | undefined, phase: string): Vmim => ({
  metadata: { name: `m-${uid}`, namespace: 'p1', uid, creationTimestamp: '2026-01-01T00:09:00Z', ...(request ? { annotations: { [CA.requestId]: request } } : {}) },
  spec: { vmiName: 'vm1' },
  status: { phase, migrationState: { sourceNode: 'n1', targetNode: 'n2', ...(phase === 'Succeeded' ? { endTimestamp: '2026-01-01T00:09:10Z' } : {}) } },
});

describe('migrations: derived from the action log and VirtualMachineInstanceMigrations', () => {
  test('resizes, cold and live migrations, and an unlogged live migration', () => {
    const log = [entry('create', 1), entry('resize', 2), entry('confirmResize', 3), entry('migrate', 4), entry('revertResize', 5), entry('live-migration', 6), entry('resize', 7, false)];
    const vmims = [vmim('m-cold', log[3]?.request_id, 'Succeeded'), vmim('m-live', log[5]?.request_id, 'Running'), vmim('m-other', undefined, 'Failed')];
    const out = migrationsOf(vm(log), vmims).sort(byNewest);
    assert.deepEqual(
      out.map((m) => [m.type, m.status, m.uuid, m.sourceNode]),
      [
        ['live-migration', 'failed', 'm-other', 'n1'],
        ['resize', 'migrating', '00000000-0000-4000-8000-000000000007', null],
        ['live-migration', 'running', 'm-live', 'n1'],
        ['migration', 'reverted', 'm-cold', 'n1'],
        ['resize', 'confirmed', '00000000-0000-4000-8000-000000000002', null],
      ],
    );
    const cold = out.find((m) => m.uuid === 'm-cold');
    assert.equal(cold?.updatedAt, '2026-01-01T00:09:10.000000');
    assert.equal(cold?.createdAt, '2026-01-01T00:04:00.000000');
    assert.equal(cold?.serverId, 'server-1');
    assert.equal(out.find((m) => m.type === 'resize' && m.status === 'migrating')?.updatedAt, null);
  });

  test('integer ids are stable, positive and 31-bit', () => {
    const id = migrationIntId('7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e');
    assert.equal(id, migrationIntId('7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e'));
    assert.ok(Number.isInteger(id) && id > 0 && id < 2 ** 31);
    assert.notEqual(id, migrationIntId('7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0f'));
  });
});

describe('migrations: /os-migrations and /servers/{id}/migrations', () => {
  let gw: TestGateway;
  let admin: string;
  let demo: string;
  let id: string;
  before(async () => {
    ({ gw, admin, demo } = await computeGateway());
    const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'mig', imageRef: IMAGE, flavorRef: 'u1.small' } });
    id = r.body.server.id;
    await waitActive(gw, demo, id);
  });
  after(() => gw.close());

  test('admins list resizes and live migrations with per-version fields', async () => {
    assert.equal((await api(gw, demo, 'GET', `${C}/os-migrations`)).status, 403);
    assert.deepEqual((await api(gw, admin, 'GET', `${C}/os-migrations`)).body, { migrations: [] });
    assert.equal((await api(gw, demo, 'POST', `${C}/servers/${id}/action`, { resize: { flavorRef: 'u1.medium' } })).status, 202);
    await waitStatus(gw, demo, id, 'VERIFY_RESIZE');
    assert.equal((await api(gw, demo, 'POST', `${C}/servers/${id}/action`, { confirmResize: null })).status, 204);
    await waitActive(gw, demo, id);
    const before = (await api(gw, admin, 'GET', `${C}/servers/${id}`)).body.server['OS-EXT-SRV-ATTR:host'];
    assert.equal((await api(gw, admin, 'POST', `${C}/servers/${id}/action`, { 'os-migrateLive': { host: null, block_migration: 'auto' } }, CV('2.25'))).status, 202);
    await eventually(async () => ((await api(gw, admin, 'GET', `${C}/servers/${id}`)).body.server['OS-EXT-STS:task_state'] === null ? true : undefined), 'migration done');

    const v21 = (await api(gw, admin, 'GET', `${C}/os-migrations`)).body.migrations;
    assert.equal(v21.length, 2);
    assert.deepEqual(Object.keys(v21[0]).sort(), ['created_at', 'dest_compute', 'dest_host', 'dest_node', 'id', 'instance_uuid', 'new_instance_type_id', 'old_instance_type_id', 'source_compute', 'source_node', 'status', 'updated_at']);
    const v259 = (await api(gw, admin, 'GET', `${C}/os-migrations`, undefined, CV('2.59'))).body.migrations;
    const live = v259.find((m: { migration_type: string }) => m.migration_type === 'live-migration');
    const resize = v259.find((m: { migration_type: string }) => m.migration_type === 'resize');
    assert.equal(live.status, 'completed');
    assert.equal(live.source_compute, before);
    assert.notEqual(live.dest_compute, before);
    assert.equal(live.instance_uuid, id);
    assert.match(live.uuid, /^[0-9a-f-]{36}$/);
    assert.equal(resize.status, 'confirmed');
    assert.equal('links' in live, false, 'links only for migrations in progress');
    const filtered = await api(gw, admin, 'GET', `${C}/os-migrations?migration_type=resize`, undefined, CV('2.23'));
    assert.deepEqual(
      filtered.body.migrations.map((m: { migration_type: string }) => m.migration_type),
      ['resize'],
    );
    const paged = await api(gw, admin, 'GET', `${C}/os-migrations?limit=1`, undefined, CV('2.59'));
    assert.equal(paged.body.migrations.length, 1);
    assert.match(paged.body.migrations_links[0].href, /marker=/);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-migrations?marker=nope`, undefined, CV('2.59'))).status, 400);
    assert.equal((await api(gw, admin, 'GET', `${C}/os-migrations?changes-since=garbage`, undefined, CV('2.59'))).status, 400);

    // Nothing in progress now: the server's list is empty and a finished one is not shown.
    assert.equal((await api(gw, admin, 'GET', `${C}/servers/${id}/migrations`)).status, 404, 'before 2.23');
    assert.deepEqual((await api(gw, admin, 'GET', `${C}/servers/${id}/migrations`, undefined, CV('2.23'))).body, { migrations: [] });
    assert.equal((await api(gw, admin, 'GET', `${C}/servers/${id}/migrations/${live.id}`, undefined, CV('2.23'))).status, 404);
    assert.equal((await api(gw, demo, 'GET', `${C}/servers/${id}/migrations`, undefined, CV('2.23'))).status, 403);
  });
});
