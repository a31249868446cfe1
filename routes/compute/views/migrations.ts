import type { MigrationRecord } from '../../../src/compute/migrations.ts';
import type { ApiVersion } from '../../../src/core/microversion.ts';
import type { LinkBuilder } from '../common.ts';

// Migration views (nova migrations.py, server_migrations.py). Dicot flavors have no integer
// ids, so old/new_instance_type_id are null; KubeVirt reports no byte counters, so the
// server-migration progress fields are null.

const nodes = (m: MigrationRecord) => ({
  dest_compute: m.destNode,
  dest_host: m.destHost,
  dest_node: m.destNode,
  source_compute: m.sourceNode,
  source_node: m.sourceNode,
});

/** One entry of /os-migrations: 2.23 adds the type (and links of in-progress live migrations), 2.59 the uuid. */
export function migrationView(m: MigrationRecord, v: ApiVersion, links: LinkBuilder, live: boolean) {
  return {
    created_at: m.createdAt,
    ...nodes(m),
    id: m.id,
    instance_uuid: m.serverId,
    new_instance_type_id: null,
    old_instance_type_id: null,
    status: m.status,
    updated_at: m.updatedAt,
    ...(v.atLeast('2.23') ? { migration_type: m.type, ...(live ? { links: links.links(`servers/${m.serverId}/migrations/${m.id}`) } : {}) } : {}),
    ...(v.atLeast('2.59') ? { uuid: m.uuid } : {}),
  };
}

/** One entry of /servers/{id}/migrations (2.23; uuid from 2.59). */
export function serverMigrationView(m: MigrationRecord, v: ApiVersion) {
  return {
    created_at: m.createdAt,
    ...nodes(m),
    disk_processed_bytes: null,
    disk_remaining_bytes: null,
    disk_total_bytes: null,
    id: m.id,
    memory_processed_bytes: null,
    memory_remaining_bytes: null,
    memory_total_bytes: null,
    server_uuid: m.serverId,
    status: m.status,
    updated_at: m.updatedAt,
    ...(v.atLeast('2.59') ? { uuid: m.uuid } : {}),
  };
}
