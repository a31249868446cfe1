import { type Aggregate, zoneOfAggregate } from '../../../src/compute/aggregates.ts';
import type { ApiVersion } from '../../../src/core/microversion.ts';

// Aggregate views (nova/api/openstack/compute/aggregates.py): the create answer has no hosts
// or metadata; `uuid` from 2.41. Deleted aggregates are gone, so `deleted` is always false.

export function aggregateCreated(a: Aggregate, v: ApiVersion) {
  return {
    availability_zone: zoneOfAggregate(a),
    created_at: a.createdAt,
    deleted: false,
    deleted_at: null,
    id: a.id,
    name: a.name,
    updated_at: a.updatedAt,
    ...(v.atLeast('2.41') ? { uuid: a.uuid } : {}),
  };
}

export const aggregateView = (a: Aggregate, v: ApiVersion) => ({ ...aggregateCreated(a, v), hosts: a.hosts, metadata: a.metadata });
