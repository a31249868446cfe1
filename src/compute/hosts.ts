import type { Flavor } from './flavors.ts';
import { type KubeNode, MiB, quantityBytes } from './model.ts';
import type { ServerRecord } from './servers.ts';

// A Node as a compute host: its capacity (shared by os-hypervisors and os-hosts) and Nova's
// os-hosts resource table (total, used now, used at most, then per project).

export interface Capacity {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
}

export function nodeCapacity(n: KubeNode): Capacity {
  const cap = n.status?.capacity ?? {};
  return {
    vcpus: Number(quantityBytes(cap.cpu) ?? 0),
    memoryMb: Math.round((quantityBytes(cap.memory) ?? 0) / MiB),
    diskGb: Math.round((quantityBytes(cap['ephemeral-storage']) ?? 0) / 2 ** 30),
  };
}

export interface HostResource {
  resource: { host: string; project: string; cpu: number; memory_mb: number; disk_gb: number };
}

/** Nova's host detail: `(total)`, `(used_now)`, `(used_max)` and one row per project, sized by the servers' flavors. */
export function hostResources(n: KubeNode, servers: ServerRecord[], flavors: Map<string, Flavor>): HostResource[] {
  const host = n.metadata.name ?? '';
  const total = nodeCapacity(n);
  const row = (project: string, cpu: number, memory_mb: number, disk_gb: number): HostResource => ({ resource: { host, project, cpu, memory_mb, disk_gb } });
  const used = { cpu: 0, mem: 0, disk: 0 };
  const byProject = new Map<string, { cpu: number; mem: number; disk: number }>();
  for (const s of servers) {
    if (s.node !== host) continue;
    const f = flavors.get(s.flavorId);
    const size = { cpu: f?.vcpus ?? 0, mem: f?.ram ?? 0, disk: (f?.disk ?? 0) + (f?.ephemeral ?? 0) };
    const p = byProject.get(s.projectId) ?? { cpu: 0, mem: 0, disk: 0 };
    for (const t of [used, p]) {
      t.cpu += size.cpu;
      t.mem += size.mem;
      t.disk += size.disk;
    }
    byProject.set(s.projectId, p);
  }
  return [
    row('(total)', total.vcpus, total.memoryMb, total.diskGb),
    row('(used_now)', used.cpu, used.mem, used.disk),
    row('(used_max)', used.cpu, used.mem, used.disk),
    ...[...byProject.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, u]) => row(p, u.cpu, u.mem, u.disk)),
  ];
}
