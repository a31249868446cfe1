import type { KubeObject } from '../kube/index.ts';
import { CA, type VirtualMachine, annotationsOf, isoMicros } from './model.ts';
import { type ActionRecord, readActions } from './server-store.ts';

// Nova's migration records, derived (Dicot keeps no table): each resize, cold migrate and live
// migration in a server's action log is one migration, joined with the
// VirtualMachineInstanceMigration the action created (it carries the request id) for nodes and
// outcome; a VirtualMachineInstanceMigration nobody logged (made with virtctl or kubectl, or
// whose log entry aged out) is a live migration of its own. Records end with their server.

export interface Vmim extends KubeObject {
  spec: { vmiName: string };
  status?: {
    phase?: string;
    migrationState?: { sourceNode?: string; targetNode?: string; targetNodeAddress?: string; endTimestamp?: string };
  };
}

export type MigrationType = 'migration' | 'resize' | 'live-migration';

export interface MigrationRecord {
  id: number;
  uuid: string;
  serverId: string;
  projectId: string;
  userId: string;
  type: MigrationType;
  status: string;
  sourceNode: string | null;
  destNode: string | null;
  destHost: string | null;
  createdAt: string;
  updatedAt: string | null;
}

const LOGGED: Record<string, MigrationType> = { resize: 'resize', migrate: 'migration', 'live-migration': 'live-migration' };

/** Nova's integer id for a migration: a stable 31-bit hash (FNV-1a) of its uuid. */
export function migrationIntId(uuid: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < uuid.length; i++) {
    h ^= uuid.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h & 0x7fffffff) || 1;
}

const liveStatus = (phase: string | undefined, logged?: ActionRecord): string => {
  if (phase === 'Succeeded') return 'completed';
  if (phase === 'Failed') return 'failed';
  if (phase !== undefined) return phase === 'Running' ? 'running' : 'preparing';
  // The object is gone (KubeVirt keeps a few per VMI): the log says whether the task ended.
  return logged?.finish_time ? (logged.result === 'Error' ? 'failed' : 'completed') : 'running';
};

/** A resize or cold migration: finished until confirmed or reverted (Nova's statuses). */
function resizeStatus(log: ActionRecord[], i: number, phase: string | undefined): string {
  for (const later of log.slice(i + 1)) {
    if (later.action === 'confirmResize') return 'confirmed';
    if (later.action === 'revertResize') return 'reverted';
    if (LOGGED[later.action]) break;
  }
  if (phase === 'Failed' || log[i]?.result === 'Error') return 'error';
  return log[i]?.finish_time ? 'finished' : 'migrating';
}

/** The migrations of one server: its VM and the VirtualMachineInstanceMigrations of its VMI. */
export function migrationsOf(vm: VirtualMachine, vmims: Vmim[]): MigrationRecord[] {
  const a = annotationsOf(vm);
  const base = { serverId: vm.metadata.uid ?? '', projectId: a[CA.projectId] ?? '', userId: a[CA.userId] ?? '' };
  const byRequest = new Map(vmims.map((m) => [annotationsOf(m)[CA.requestId] ?? '', m]));
  const used = new Set<Vmim>();
  const out: MigrationRecord[] = [];
  const log = readActions(a[CA.actions]);
  log.forEach((e, i) => {
    const type = LOGGED[e.action];
    if (!type) return;
    const m = byRequest.get(e.request_id);
    if (m) used.add(m);
    const uuid = m?.metadata.uid ?? e.request_id.replace(/^req-/, '');
    const state = m?.status?.migrationState;
    out.push({
      ...base,
      id: migrationIntId(uuid),
      uuid,
      type,
      status: type === 'live-migration' ? liveStatus(m?.status?.phase, e) : resizeStatus(log, i, m?.status?.phase),
      sourceNode: state?.sourceNode ?? null,
      destNode: state?.targetNode ?? null,
      destHost: state?.targetNodeAddress ?? null,
      createdAt: isoMicros(e.start_time),
      updatedAt: state?.endTimestamp ? isoMicros(state.endTimestamp) : e.finish_time ? isoMicros(e.finish_time) : null,
    });
  });
  for (const m of vmims) {
    if (used.has(m)) continue;
    const uuid = m.metadata.uid ?? '';
    const state = m.status?.migrationState;
    out.push({
      ...base,
      id: migrationIntId(uuid),
      uuid,
      type: 'live-migration',
      status: liveStatus(m.status?.phase ?? ''),
      sourceNode: state?.sourceNode ?? null,
      destNode: state?.targetNode ?? null,
      destHost: state?.targetNodeAddress ?? null,
      createdAt: isoMicros(m.metadata.creationTimestamp ?? 0),
      updatedAt: state?.endTimestamp ? isoMicros(state.endTimestamp) : null,
    });
  }
  return out;
}

/** Newest first, as Nova lists them (created_at, then id, descending). */
export const byNewest = (x: MigrationRecord, y: MigrationRecord) => y.createdAt.localeCompare(x.createdAt) || y.id - x.id;

export const inProgress = (m: MigrationRecord) => ['running', 'preparing', 'queued', 'migrating'].includes(m.status);
