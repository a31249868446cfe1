import { badRequest } from '../core/faults.ts';
import type { Flavor } from './flavors.ts';
import { isoMicros } from './model.ts';
import type { ServerRecord } from './servers.ts';

// Nova's simple tenant usage, computed from the servers that exist now: each counts from its
// launch (the first time it ran) to the end of the period, as Nova counts a live instance.
// Deleted servers are not counted: Dicot keeps no history of them.

export interface ServerUsage {
  instance_id: string;
  name: string;
  hours: number;
  memory_mb: number;
  local_gb: number;
  vcpus: number;
  tenant_id: string;
  flavor: string;
  started_at: string;
  ended_at: null;
  state: string;
  uptime: number;
}

export interface TenantUsage {
  tenant_id: string;
  total_local_gb_usage: number;
  total_vcpus_usage: number;
  total_memory_mb_usage: number;
  total_hours: number;
  start: string;
  stop: string;
  server_usages?: ServerUsage[];
}

const FORMAT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d{1,6})?$/;

/** Nova's accepted `start`/`end` forms (naive times are UTC); absent = now. */
export function parseUsageTime(raw: string | null, now: number): number {
  if (raw === null || raw === '') return now;
  const m = FORMAT.exec(raw.trim());
  const t = m ? Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}Z`) : Number.NaN;
  if (Number.isNaN(t)) throw badRequest('Datetime is in invalid format');
  return t;
}

/** Hours of [launched, stop) inside the period (Nova's _hours_for, with no termination). */
export function hoursFor(launched: number, start: number, stop: number): number {
  if (launched > stop) return 0;
  return (stop - Math.max(launched, start)) / 3_600_000;
}

/**
 * Usage per project over [start, stop): the servers launched before `stop`, with their
 * flavor's size (a flavor deleted since counts as zero-sized, its id as the name).
 */
export function tenantUsages(servers: ServerRecord[], flavors: Map<string, Flavor>, start: number, stop: number, now: number, detailed: boolean): TenantUsage[] {
  const out = new Map<string, TenantUsage>();
  for (const s of servers) {
    if (!s.launchedAt) continue;
    const launched = Date.parse(s.launchedAt);
    if (!(launched < stop)) continue;
    const f = flavors.get(s.flavorId);
    const hours = hoursFor(launched, start, stop);
    const usage: ServerUsage = {
      instance_id: s.id,
      name: s.name,
      hours,
      memory_mb: f?.ram ?? 0,
      local_gb: (f?.disk ?? 0) + (f?.ephemeral ?? 0),
      vcpus: f?.vcpus ?? 0,
      tenant_id: s.projectId,
      flavor: f?.name ?? s.flavorId,
      started_at: isoMicros(launched),
      ended_at: null,
      state: s.state.vmState,
      uptime: Math.max(0, Math.floor((now - launched) / 1000)),
    };
    const t = out.get(s.projectId) ?? {
      tenant_id: s.projectId,
      total_local_gb_usage: 0,
      total_vcpus_usage: 0,
      total_memory_mb_usage: 0,
      total_hours: 0,
      start: isoMicros(start),
      stop: isoMicros(stop),
      ...(detailed ? { server_usages: [] } : {}),
    };
    t.total_hours += hours;
    t.total_local_gb_usage += usage.local_gb * hours;
    t.total_vcpus_usage += usage.vcpus * hours;
    t.total_memory_mb_usage += usage.memory_mb * hours;
    t.server_usages?.push(usage);
    out.set(s.projectId, t);
  }
  return [...out.values()];
}
