import type { SnapshotRecord, VolumeRecord, VolumeTypeRecord } from './model.ts';
import { cinderTime } from './model.ts';

// Cinder's view of where volumes live: every CSI driver behind the StorageClasses is a backend
// (`cinder-volume` on host `dicot@<driver>`, one pool `dicot@<driver>#<driver>`), behind one
// scheduler on host `dicot`. Volume types (StorageClasses) name a backend as Cinder's types do
// with `volume_backend_name`, so making a type makes no backend. Kubernetes reports no capacity
// per driver, so capacities are Cinder's `unknown`.

export const VOLUME_HOST = 'dicot';
/** What stands between the gateway and the disks: a CSI driver, attached by KubeVirt. */
export const STORAGE_PROTOCOL = 'CSI';

export const backendHost = (driver: string) => `${VOLUME_HOST}@${driver}`;
export const poolName = (driver: string) => `${backendHost(driver)}#${driver}`;

export interface Backend {
  /** The CSI driver (the StorageClasses' provisioner): Cinder's `volume_backend_name` and vendor. */
  name: string;
}

export const backendsOf = (types: VolumeTypeRecord[]): Backend[] =>
  [...new Set(types.map((t) => t.provisioner).filter(Boolean))].sort().map((name) => ({ name }));

/** Cinder's host filter: the host itself, or any backend (and pool) on it. */
export const onHost = (host: string, filter: string) => host === filter || host.startsWith(`${filter}@`) || host.startsWith(`${filter}#`);

/** `host@backend#pool` or `host@backend` → the backend, when it is one of ours. */
export function backendOfHost(backends: Backend[], host: string): Backend | undefined {
  const [hostBackend] = host.split('#');
  return backends.find((b) => backendHost(b.name) === hostBackend);
}

export interface ServiceRow {
  binary: 'cinder-scheduler' | 'cinder-volume';
  host: string;
}

export const serviceRows = (backends: Backend[]): ServiceRow[] => [
  { binary: 'cinder-scheduler', host: VOLUME_HOST },
  ...backends.map((b) => ({ binary: 'cinder-volume' as const, host: backendHost(b.name) })),
];

/** One `os-services` entry; `cluster` from 3.7, `backend_state` from 3.49 (volume services). */
export function serviceView(s: ServiceRow, zone: string, now: number, v: { atLeast(x: string): boolean }) {
  const volume = s.binary === 'cinder-volume';
  return {
    binary: s.binary,
    host: s.host,
    zone,
    status: 'enabled',
    state: 'up',
    updated_at: cinderTime(now),
    disabled_reason: null,
    ...(volume ? { replication_status: 'disabled', active_backend_id: null, frozen: false } : {}),
    ...(v.atLeast('3.7') ? { cluster: null } : {}),
    ...(volume && v.atLeast('3.49') ? { backend_state: 'up' } : {}),
  };
}

/** `scheduler-stats/get_pools`: the name alone, or with the pool's capabilities. */
export function poolView(b: Backend, detail: boolean) {
  const name = poolName(b.name);
  if (!detail) return { name };
  return {
    name,
    capabilities: {
      volume_backend_name: b.name,
      vendor_name: b.name,
      storage_protocol: STORAGE_PROTOCOL,
      driver_version: '',
      total_capacity_gb: 'unknown',
      free_capacity_gb: 'unknown',
      reserved_percentage: 0,
      QoS_support: false,
      timestamp: null,
    },
  };
}

/** `capabilities/{host}`: the backend's stats; no driver-specific properties. */
export const capabilitiesView = (b: Backend) => ({
  namespace: `OS::Storage::Capabilities::${backendHost(b.name)}`,
  volume_backend_name: b.name,
  pool_name: b.name,
  vendor_name: b.name,
  storage_protocol: STORAGE_PROTOCOL,
  driver_version: '',
  display_name: null,
  description: null,
  visibility: null,
  replication_targets: [],
  properties: {},
});

/** `os-hosts` (the legacy host list): one row per service. */
export const hostListView = (s: ServiceRow, zone: string, now: number) => ({
  host_name: s.host,
  service: s.binary,
  zone,
  'service-status': 'available',
  'service-state': 'enabled',
  'last-update': cinderTime(now),
});

/**
 * `os-hosts/{host}`: per project, then `(total)`, the volumes and snapshots on the backend
 * (counts as strings, as Cinder). `driverOf` maps a volume's StorageClass to its driver.
 */
export function hostResources(b: Backend, volumes: VolumeRecord[], snapshots: SnapshotRecord[], driverOf: (storageClass: string) => string | undefined) {
  const host = backendHost(b.name);
  const mine = volumes.filter((v) => v.typeName !== null && driverOf(v.typeName) === b.name);
  const ids = new Set(mine.map((v) => v.id));
  const snaps = snapshots.filter((s) => ids.has(s.volumeId));
  const row = (project: string, vs: VolumeRecord[], ss: SnapshotRecord[]) => ({
    resource: {
      project,
      host,
      volume_count: String(vs.length),
      total_volume_gb: String(vs.reduce((t, v) => t + v.size, 0)),
      snapshot_count: String(ss.length),
      total_snapshot_gb: String(ss.reduce((t, s) => t + s.size, 0)),
    },
  });
  const projects = [...new Set(mine.map((v) => v.projectId))].sort();
  return [
    ...projects.map((p) => row(p, mine.filter((v) => v.projectId === p), snaps.filter((s) => s.projectId === p))),
    row('(total)', mine, snaps),
  ];
}
