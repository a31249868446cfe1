import * as v from 'valibot';
import { CA, type Condition, type VirtualMachine, type VirtualMachineInstance, annotationsOf, findCondition, jsonOf } from './model.ts';

// Nova's view of a server's state, from what KubeVirt reports plus the few facts Kubernetes
// has no word for (kept in annotations on the VM).
//
// KubeVirt (VM printableStatus, VMI phase/conditions)   → vm_state   power_state  task_state
// ------------------------------------------------------------------------------------------
// Running (VMI Running, not paused)                      → active       1 RUNNING
// Running + VMI condition Paused                         → paused       3 PAUSED
//   ... and `state: suspended` (suspend = KubeVirt pause) → suspended    7 SUSPENDED
// Migrating (VMI migrationState in progress)             → active       1           migrating
// Stopped                                                 → stopped      4 SHUTDOWN
//   ... and `state: shelved_offloaded` (shelve = stop)    → shelved_offloaded 4
// Stopping                                                → active       1           powering-off
// Terminating (VM being deleted)                          → active       1/4         deleting
// Provisioning / Starting / WaitingForVolumeBinding      → building     0 NOSTATE   spawning
//   (before the first boot: the create task is open)
//   ... after a stop (the start task is open)             → stopped      4           powering-on
// CrashLoopBackOff, ErrorUnschedulable, ErrImagePull,
// ImagePullBackOff, ErrorPvcNotFound, DataVolumeError     → error        0 NOSTATE   (fault shown)
// Unknown / anything else                                 → active       0 NOSTATE
// `state: resized` (after a resize, until confirm/revert) → resized (VERIFY_RESIZE) when running
// `state: error` (os-resetState)                          → error
//
// task_state comes from the task annotation (the action in flight) and is null as soon as what
// that task waits for is observed, so waiters (Tempest's, OSC --wait) see the action finish
// without the gateway writing anything back.
//
// status from (vm_state, task_state) follows nova/api/openstack/common.py _STATE_MAP.

export type VmState =
  | 'active'
  | 'building'
  | 'paused'
  | 'suspended'
  | 'stopped'
  | 'rescued'
  | 'resized'
  | 'soft-delete'
  | 'deleted'
  | 'error'
  | 'shelved'
  | 'shelved_offloaded';

export const POWER = { NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 } as const;

const DEFAULT_STATUS: Record<VmState, string> = {
  active: 'ACTIVE',
  building: 'BUILD',
  paused: 'PAUSED',
  suspended: 'SUSPENDED',
  stopped: 'SHUTOFF',
  rescued: 'RESCUE',
  resized: 'VERIFY_RESIZE',
  'soft-delete': 'SOFT_DELETED',
  deleted: 'DELETED',
  error: 'ERROR',
  shelved: 'SHELVED',
  shelved_offloaded: 'SHELVED_OFFLOADED',
};

const TASK_STATUS: Partial<Record<VmState, Record<string, string>>> = {
  active: {
    rebooting: 'REBOOT',
    reboot_pending: 'REBOOT',
    reboot_started: 'REBOOT',
    rebooting_hard: 'HARD_REBOOT',
    reboot_pending_hard: 'HARD_REBOOT',
    reboot_started_hard: 'HARD_REBOOT',
    updating_password: 'PASSWORD',
    rebuilding: 'REBUILD',
    rebuild_block_device_mapping: 'REBUILD',
    rebuild_spawning: 'REBUILD',
    migrating: 'MIGRATING',
    resize_prep: 'RESIZE',
    resize_migrating: 'RESIZE',
    resize_migrated: 'RESIZE',
    resize_finish: 'RESIZE',
  },
  stopped: {
    resize_prep: 'RESIZE',
    resize_migrating: 'RESIZE',
    resize_migrated: 'RESIZE',
    resize_finish: 'RESIZE',
    rebuilding: 'REBUILD',
    rebuild_block_device_mapping: 'REBUILD',
    rebuild_spawning: 'REBUILD',
  },
  resized: { resize_reverting: 'REVERT_RESIZE' },
  paused: { migrating: 'MIGRATING' },
  error: { rebuilding: 'REBUILD', rebuild_block_device_mapping: 'REBUILD', rebuild_spawning: 'REBUILD' },
};

/** nova/api/openstack/common.py status_from_state. */
export function statusFromState(vmState: VmState, taskState: string | null): string {
  const byTask = taskState ? TASK_STATUS[vmState]?.[taskState] : undefined;
  return byTask ?? DEFAULT_STATUS[vmState] ?? 'UNKNOWN';
}

/** What a task waits for before it is over. */
export type Until = 'running' | 'stopped' | 'paused' | 'unpaused' | 'migrated' | 'never';

/** The action in flight, recorded by the action that started it. */
export interface Task {
  name: string;
  until: Until;
  /** The VMI a restart-like task replaces: done only once another one runs. */
  replaces?: string;
  /** The node a migration leaves: done once the VMI runs elsewhere (or the migration failed). */
  fromNode?: string;
  /** The vm_state shown while the task is open (Nova: resuming from suspended...). */
  vmState?: SpecialState;
  at: string;
  requestId?: string;
}

const TaskSchema = v.object({
  name: v.string(),
  until: v.picklist(['running', 'stopped', 'paused', 'unpaused', 'migrated', 'never']),
  replaces: v.optional(v.string()),
  fromNode: v.optional(v.string()),
  vmState: v.optional(v.picklist(['suspended', 'shelved_offloaded', 'resized', 'error', 'rescued'])),
  at: v.string(),
  requestId: v.optional(v.string()),
});
export const readTask = jsonOf<Task | undefined>(TaskSchema, undefined);

/** States Kubernetes cannot express, kept on the VM by the actions that enter them. */
export const SPECIAL_STATES = ['suspended', 'shelved_offloaded', 'resized', 'error', 'rescued'] as const;
export type SpecialState = (typeof SPECIAL_STATES)[number];
export const readSpecialState = (s: string | undefined): SpecialState | undefined =>
  (SPECIAL_STATES as readonly string[]).includes(s ?? '') ? (s as SpecialState) : undefined;

export interface Observed {
  printableStatus: string;
  running: boolean;
  paused: boolean;
  migrating: boolean;
  vmiUid: string | undefined;
  node: string | undefined;
  migrationFailed: boolean;
  deleting: boolean;
}

const ERROR_STATUSES = new Set(['CrashLoopBackOff', 'ErrorUnschedulable', 'ErrImagePull', 'ImagePullBackOff', 'ErrorPvcNotFound', 'DataVolumeError']);
const STARTING = new Set(['Provisioning', 'Starting', 'WaitingForVolumeBinding', 'WaitingForReceiver']);

export function observe(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): Observed {
  const running = vmi?.status?.phase === 'Running' && !vmi.metadata.deletionTimestamp;
  const ms = vmi?.status?.migrationState;
  return {
    printableStatus: vm.status?.printableStatus ?? (vmi ? 'Starting' : 'Stopped'),
    running,
    paused: running && findCondition(vmi?.status?.conditions, 'Paused')?.status === 'True',
    migrating: running && !!ms && !ms.completed && !ms.failed,
    vmiUid: vmi?.metadata.uid,
    node: vmi?.status?.nodeName,
    migrationFailed: !!ms?.failed,
    deleting: !!vm.metadata.deletionTimestamp,
  };
}

/** Pure: has what the task waits for happened? */
export function taskDone(task: Task, o: Observed): boolean {
  const fresh = task.replaces === undefined || (o.vmiUid !== undefined && o.vmiUid !== task.replaces);
  switch (task.until) {
    case 'running':
      return o.running && !o.paused && !o.migrating && fresh;
    case 'stopped':
      return o.printableStatus === 'Stopped' && !o.running;
    case 'paused':
      return o.paused;
    case 'unpaused':
      return o.running && !o.paused;
    case 'migrated':
      return o.running && !o.migrating && (o.node !== task.fromNode || o.migrationFailed);
    default:
      return false;
  }
}

export interface NovaState {
  vmState: VmState;
  taskState: string | null;
  powerState: number;
  status: string;
  /** For the `fault` of an ERROR server. */
  fault: { code: number; message: string; details: string; created: string } | undefined;
}

function faultFrom(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined, printable: string): NovaState['fault'] {
  const conds: Condition[] = [...(vm.status?.conditions ?? []), ...(vmi?.status?.conditions ?? [])];
  const failure = conds.find((c) => c.type === 'Failure' && c.status === 'True') ?? conds.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const message = failure?.message || printable;
  return {
    code: 500,
    message,
    details: `KubeVirt reports ${printable}${failure?.reason ? ` (${failure.reason})` : ''}`,
    created: failure?.lastTransitionTime ?? vm.metadata.creationTimestamp ?? new Date(0).toISOString(),
  };
}

/** Pure: the Nova state of a VM (and its VMI). */
export function novaState(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): NovaState {
  const a = annotationsOf(vm);
  const o = observe(vm, vmi);
  const task = readTask(a[CA.task]);
  const special = readSpecialState(a[CA.state]);
  const open = task && !taskDone(task, o) ? task : undefined;
  let vmState: VmState;
  let power: number;
  let fault: NovaState['fault'];
  const p = o.printableStatus;
  if (o.running) {
    power = o.paused ? (special === 'suspended' ? POWER.SUSPENDED : POWER.PAUSED) : POWER.RUNNING;
    vmState = o.paused ? (special === 'suspended' ? 'suspended' : 'paused') : 'active';
  } else if (ERROR_STATUSES.has(p)) {
    vmState = 'error';
    power = POWER.NOSTATE;
    fault = faultFrom(vm, vmi, p);
  } else if (p === 'Stopped') {
    vmState = 'stopped';
    power = POWER.SHUTDOWN;
  } else if (STARTING.has(p)) {
    power = POWER.NOSTATE;
    vmState = open?.name === 'spawning' ? 'building' : open?.name === 'powering-on' ? 'stopped' : 'active';
  } else {
    // Stopping, Terminating, Unknown: still what it was; the task tells the rest.
    vmState = 'active';
    power = p === 'Unknown' ? POWER.NOSTATE : POWER.RUNNING;
  }
  // States the VM itself cannot express.
  if (special === 'shelved_offloaded' && p === 'Stopped') vmState = 'shelved_offloaded';
  if (special === 'resized' && !open && (vmState === 'active' || vmState === 'stopped')) vmState = 'resized';
  if (special === 'rescued' && vmState === 'active') vmState = 'rescued';
  if (special === 'error') {
    vmState = 'error';
    fault ??= { code: 500, message: 'The server was set to the error state.', details: '', created: vm.metadata.creationTimestamp ?? '' };
  }
  if (open?.vmState && vmState !== 'error') vmState = open.vmState;
  let taskState: string | null = open?.name ?? null;
  if (o.deleting) taskState = 'deleting';
  else if (!taskState && o.migrating) taskState = 'migrating';
  else if (!taskState && p === 'Stopping') taskState = 'powering-off';
  // A create that ended in error is no longer spawning.
  if (vmState === 'error' && taskState === 'spawning') taskState = null;
  return { vmState, taskState, powerState: power, status: statusFromState(vmState, taskState), fault: vmState === 'error' ? fault : undefined };
}
