// virt-controller's VirtualMachine loop: run strategies and state change requests decide
// whether a VMI should exist; the VM status (printableStatus, ready, conditions) mirrors it.

import { R } from '../../kube/index.ts';
import type { Controller, Engine } from './engine.ts';
import { expandSpec, instancetypeRevision } from './instancetype.ts';
import type { Condition, DataVolume, Pvc, StateChangeRequest, VirtualMachine, VirtualMachineInstance } from './model.ts';
import {
  FAIL_ANNOTATION,
  controllerOf,
  controllerRef,
  failRequested,
  findCondition,
  keyOf,
  nsKey,
  removeCondition,
  same,
  setCondition,
} from './util.ts';

const FINAL = new Set(['Succeeded', 'Failed']);
export const isFinal = (vmi: VirtualMachineInstance | undefined) => FINAL.has(vmi?.status?.phase ?? '');

export function runStrategyOf(vm: VirtualMachine): string {
  return vm.spec.runStrategy ?? (vm.spec.running ? 'Always' : 'Halted');
}

/** A failed VMI that the strategy would restart but that keeps failing (fault injection). */
const crashLooping = (vm: VirtualMachine, vmi: VirtualMachineInstance | undefined) =>
  vmi?.status?.phase === 'Failed' && failRequested(vm) && ['Always', 'RerunOnFailure'].includes(runStrategyOf(vm));

export function vmController(engine: Engine): Controller {
  const name = 'virtualmachine';
  const vmiOf = (vm: VirtualMachine) => {
    const vmi = engine.get<VirtualMachineInstance>(R.virtualMachineInstances, keyOf(vm));
    return vmi && controllerOf(vmi)?.uid === vm.metadata.uid ? vmi : undefined;
  };

  /** Volumes must be ready before the VMI is created: the VM waits in Provisioning. */
  function volumeState(vm: VirtualMachine): string | undefined {
    const ns = vm.metadata.namespace;
    for (const v of vm.spec.template?.spec?.volumes ?? []) {
      if (v.dataVolume) {
        const dv = engine.get<DataVolume>(R.dataVolumes, nsKey(ns, v.dataVolume.name));
        if (!dv) {
          if (!engine.get<Pvc>(R.pvcs, nsKey(ns, v.dataVolume.name))) return 'Provisioning';
          continue;
        }
        if (dv.status?.phase === 'Failed') return 'DataVolumeError';
        if (dv.status?.phase !== 'Succeeded') return 'Provisioning';
      } else if (v.persistentVolumeClaim) {
        const pvc = engine.get<Pvc>(R.pvcs, nsKey(ns, v.persistentVolumeClaim.claimName));
        if (!pvc) return 'ErrorPvcNotFound';
        if (pvc.status?.phase !== 'Bound') return 'WaitingForVolumeBinding';
      }
    }
    return undefined;
  }

  async function ensureDataVolumes(vm: VirtualMachine): Promise<void> {
    for (const t of vm.spec.dataVolumeTemplates ?? []) {
      if (engine.get(R.dataVolumes, nsKey(vm.metadata.namespace, t.metadata.name))) continue;
      const dv = await engine.client
        .create(R.dataVolumes, {
          metadata: {
            ...t.metadata,
            namespace: vm.metadata.namespace,
            ownerReferences: [controllerRef(R.virtualMachines, vm)],
          },
          spec: t.spec,
        })
        .catch((e: unknown) => (e instanceof Error && e.name === 'AlreadyExistsError' ? undefined : Promise.reject(e)));
      if (dv) engine.track(R.dataVolumes, dv);
    }
  }

  async function createVmi(vm: VirtualMachine, paused: boolean): Promise<void> {
    const spec = await expandSpec(engine.client, vm, await instancetypeRevision(engine.client, vm));
    if (paused) spec.startStrategy = 'Paused';
    const annotations = { ...(vm.spec.template?.metadata?.annotations ?? {}) };
    if (failRequested(vm)) annotations[FAIL_ANNOTATION] = 'true';
    const vmi = await engine.client.create<VirtualMachineInstance>(R.virtualMachineInstances, {
      metadata: {
        name: vm.metadata.name,
        namespace: vm.metadata.namespace,
        labels: { ...(vm.spec.template?.metadata?.labels ?? {}), 'kubevirt.io/vm': vm.metadata.name! },
        annotations,
        ownerReferences: [controllerRef(R.virtualMachines, vm)],
        finalizers: ['kubevirt.io/virtualMachineControllerFinalize'],
      },
      spec,
    });
    engine.track(R.virtualMachineInstances, vmi);
  }

  async function deleteVmi(vmi: VirtualMachineInstance): Promise<void> {
    if (vmi.metadata.deletionTimestamp) return;
    await engine.client.delete(R.virtualMachineInstances, vmi.metadata.name!, {
      namespace: vmi.metadata.namespace,
      preconditions: { uid: vmi.metadata.uid },
    });
  }

  /** Drops the first state change request, failing (409/422) if someone changed the list meanwhile. */
  async function popRequest(vm: VirtualMachine, requests: StateChangeRequest[]): Promise<VirtualMachine> {
    const patch = [
      { op: 'test', path: '/status/stateChangeRequests', value: requests },
      requests.length > 1
        ? { op: 'replace', path: '/status/stateChangeRequests', value: requests.slice(1) }
        : { op: 'remove', path: '/status/stateChangeRequests' },
    ];
    return engine.track(
      R.virtualMachines,
      await engine.client.patchStatus<VirtualMachine>(R.virtualMachines, vm.metadata.name!, patch, {
        namespace: vm.metadata.namespace,
        type: 'json',
      }),
    );
  }

  /** Acts on the VM; returns true when it changed something and should look again. */
  async function act(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): Promise<boolean> {
    const strategy = runStrategyOf(vm);
    const requests = vm.status?.stateChangeRequests ?? [];
    const head = requests[0];
    if (head?.action === 'Stop') {
      if (vmi && (!head.uid || head.uid === vmi.metadata.uid)) {
        await deleteVmi(vmi);
        return false; // wait for the VMI to go
      }
      await popRequest(vm, requests);
      return true;
    }
    if (head?.action === 'Start') {
      if (vmi && !isFinal(vmi)) {
        await popRequest(vm, requests);
        return true;
      }
      if (vmi) {
        await deleteVmi(vmi);
        return false;
      }
      if (volumeState(vm)) return false;
      await createVmi(vm, head.data?.startPaused === 'true');
      const popped = await popRequest(vm, requests);
      if (strategy === 'Halted') {
        // A paused start of a Halted VM comes as a request; the controller flips the strategy.
        const patch = popped.spec.runStrategy ? { spec: { runStrategy: 'Always' } } : { spec: { running: true } };
        engine.track(
          R.virtualMachines,
          await engine.client.patch(R.virtualMachines, vm.metadata.name!, patch, {
            namespace: vm.metadata.namespace,
            type: 'merge',
          }),
        );
      }
      return true;
    }
    const transition = vm.status?.runStrategy !== strategy;
    switch (strategy) {
      case 'Halted':
        if (vmi) await deleteVmi(vmi);
        return false;
      case 'Always':
        if (vmi && isFinal(vmi) && !crashLooping(vm, vmi)) await deleteVmi(vmi);
        else if (!vmi && !volumeState(vm)) await createVmi(vm, vm.spec.template?.spec?.startStrategy === 'Paused');
        return false;
      case 'RerunOnFailure':
        if (vmi?.status?.phase === 'Failed' && !crashLooping(vm, vmi)) await deleteVmi(vmi);
        else if (!vmi && (transition || vm.status?.printableStatus === 'CrashLoopBackOff') && !volumeState(vm))
          await createVmi(vm, false);
        return false;
      case 'Once':
        if (vmi && isFinal(vmi)) {
          engine.track(
            R.virtualMachines,
            await engine.client.patch(R.virtualMachines, vm.metadata.name!, { spec: { runStrategy: 'Halted' } }, {
              namespace: vm.metadata.namespace,
              type: 'merge',
            }),
          );
          return true;
        }
        if (!vmi && transition && !volumeState(vm)) await createVmi(vm, false);
        return false;
      default:
        return false; // Manual: only requests start or stop it
    }
  }

  function printableStatus(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): string {
    if (vm.metadata.deletionTimestamp) return 'Terminating';
    if (vmi?.metadata.deletionTimestamp) return 'Stopping';
    const phase = vmi?.status?.phase ?? '';
    if (vmi && phase === 'Running') {
      const m = vmi.status?.migrationState;
      if (m && !m.completed && !m.failed) return 'Migrating';
      if (findCondition(vmi.status?.conditions, 'Paused')?.status === 'True') return 'Paused';
      return 'Running';
    }
    if (vmi && !isFinal(vmi)) {
      const sched = findCondition(vmi.status?.conditions, 'PodScheduled');
      if (sched?.status === 'False' && sched.reason === 'Unschedulable') return 'ErrorUnschedulable';
      return 'Starting';
    }
    if (crashLooping(vm, vmi)) return 'CrashLoopBackOff';
    const strategy = runStrategyOf(vm);
    const wantsToRun =
      strategy === 'Always' || vm.status?.stateChangeRequests?.[0]?.action === 'Start' ||
      (['Once', 'RerunOnFailure'].includes(strategy) && vm.status?.runStrategy !== strategy);
    if (wantsToRun && !vmi) return volumeState(vm) ?? 'Starting';
    return 'Stopped';
  }

  function conditions(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): Condition[] {
    let conds = vm.status?.conditions ?? [];
    const vmiReady = findCondition(vmi?.status?.conditions, 'Ready');
    conds = setCondition(
      conds,
      vmi
        ? vmiReady
          ? { type: 'Ready', status: vmiReady.status, reason: vmiReady.reason, message: vmiReady.message }
          : { type: 'Ready', status: 'False', reason: 'PodNotExists', message: 'virt-launcher pod has not yet been scheduled' }
        : { type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'VMI does not exist' },
    );
    for (const type of ['Paused', 'LiveMigratable', 'AgentConnected']) {
      const c = findCondition(vmi?.status?.conditions, type);
      conds = c ? setCondition(conds, { type, status: c.status, reason: c.reason, message: c.message }) : removeCondition(conds, type);
    }
    conds = crashLooping(vm, vmi)
      ? setCondition(conds, { type: 'Failure', status: 'True', reason: 'FailedCreate', message: 'VMI failed (sandbox fault injection)' })
      : removeCondition(conds, 'Failure');
    return conds;
  }

  async function instancetypeRefOf(vm: VirtualMachine) {
    const ref = vm.spec.instancetype as { name: string; kind?: string };
    const revision = await instancetypeRevision(engine.client, vm);
    return { name: ref.name, kind: ref.kind ?? 'VirtualMachineClusterInstancetype', ...(revision ? { controllerRevisionRef: { name: revision } } : {}) };
  }

  async function updateStatus(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): Promise<void> {
    const ready = vmi?.status?.phase === 'Running' && findCondition(vmi.status.conditions, 'Ready')?.status === 'True';
    const status = {
      printableStatus: printableStatus(vm, vmi),
      created: !!vmi,
      ready,
      runStrategy: runStrategyOf(vm),
      conditions: conditions(vm, vmi),
      observedGeneration: vm.metadata.generation,
      desiredGeneration: vm.metadata.generation,
      ...(vm.spec.instancetype ? { instancetypeRef: await instancetypeRefOf(vm) } : {}),
      ...(vm.spec.preference
        ? { preferenceRef: { name: vm.spec.preference.name, kind: vm.spec.preference.kind ?? 'VirtualMachineClusterPreference' } }
        : {}),
    };
    const current = Object.fromEntries(Object.keys(status).map((k) => [k, vm.status?.[k]]));
    // Ignore condition timestamps when comparing, so a status is only written when it changes.
    const strip = (s: Record<string, unknown>) =>
      JSON.stringify({ ...s, conditions: (s.conditions as Condition[] | undefined)?.map(({ lastTransitionTime: _, lastProbeTime: __, ...c }) => c) });
    if (same(strip(current), strip(status))) return;
    engine.track(
      R.virtualMachines,
      await engine.client.patchStatus(R.virtualMachines, vm.metadata.name!, { status }, { namespace: vm.metadata.namespace, type: 'merge' }),
    );
  }

  return {
    name,
    type: R.virtualMachines,
    watches: [
      { type: R.virtualMachineInstances, keys: (o) => [keyOf(o)] },
      {
        type: R.dataVolumes,
        keys: (o) => vmsUsing(engine, o.metadata.namespace, o.metadata.name!),
      },
      { type: R.pvcs, keys: (o) => vmsUsing(engine, o.metadata.namespace, o.metadata.name!) },
    ],
    async reconcile(key) {
      let vm = engine.get<VirtualMachine>(R.virtualMachines, key);
      if (!vm) return;
      if (!vm.metadata.deletionTimestamp) {
        await ensureDataVolumes(vm);
        for (let i = 0; i < 4 && (await act(vm, vmiOf(vm))); i++) vm = engine.get<VirtualMachine>(R.virtualMachines, key) ?? vm;
      }
      vm = engine.get<VirtualMachine>(R.virtualMachines, key) ?? vm;
      await updateStatus(vm, vmiOf(vm));
    },
  };
}

function vmsUsing(engine: Engine, namespace: string | undefined, claim: string): string[] {
  return engine
    .list<VirtualMachine>(R.virtualMachines, (vm) => vm.metadata.namespace === namespace)
    .filter((vm) =>
      (vm.spec.template?.spec?.volumes ?? []).some(
        (v) => v.dataVolume?.name === claim || v.persistentVolumeClaim?.claimName === claim,
      ),
    )
    .map(keyOf);
}
