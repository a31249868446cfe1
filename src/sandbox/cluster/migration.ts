// Live migration: a VirtualMachineInstanceMigration walks Pending → Scheduling → Scheduled →
// Running → Succeeded while the VMI reports migrationState and ends on another node.

import { R } from '../../kube/index.ts';
import type { Controller, Engine, Stage } from './engine.ts';
import type { Json, MigrationState, Migration, VirtualMachineInstance } from './model.ts';
import { type Node, pickNode } from './scheduling.ts';
import { failRequested, findCondition, keyOf, now, nsKey } from './util.ts';

export function migrationController(engine: Engine): Controller {
  const name = 'migration';
  const vmiOf = (m: Migration) => engine.get<VirtualMachineInstance>(R.virtualMachineInstances, nsKey(m.metadata.namespace, m.spec.vmiName));
  const phase = (m: Migration) => m.status?.phase ?? '';
  const setPhase = async (m: Migration, status: Json) =>
    engine.track(
      R.virtualMachineInstanceMigrations,
      await engine.client.patchStatus<Migration>(R.virtualMachineInstanceMigrations, m.metadata.name!, { status }, {
        namespace: m.metadata.namespace,
        type: 'merge',
      }),
    );
  const patchVmi = async (vmi: VirtualMachineInstance, status: Json) =>
    engine.track(
      R.virtualMachineInstances,
      await engine.client.patchStatus<VirtualMachineInstance>(R.virtualMachineInstances, vmi.metadata.name!, { status }, {
        namespace: vmi.metadata.namespace,
        type: 'merge',
      }),
    );
  const fail = async (m: Migration, reason: string) => {
    const state: MigrationState = { ...(m.status?.migrationState ?? {}), failed: true, completed: false, endTimestamp: now(), failureReason: reason };
    await setPhase(m, { phase: 'Failed', migrationState: state, phaseTransitionTimestamps: [{ phase: 'Failed', phaseTransitionTimestamp: now() }] });
    const vmi = vmiOf(m);
    if (vmi && vmi.status?.migrationState?.migrationUid === m.metadata.uid) await patchVmi(vmi, { migrationState: state });
  };
  const active = (m: Migration) => !m.metadata.deletionTimestamp;

  const stages: Stage<Migration>[] = [
    {
      name: 'pending',
      when: (m) => active(m) && phase(m) === '',
      delay: () => 0,
      async apply(m) {
        const vmi = vmiOf(m);
        if (vmi?.status?.phase !== 'Running') return fail(m, `VMI ${m.spec.vmiName} is not running`);
        if (findCondition(vmi?.status?.conditions, 'LiveMigratable')?.status !== 'True') return fail(m, 'VMI is not live migratable');
        const ms = vmi?.status?.migrationState;
        if (ms && !ms.completed && !ms.failed) return fail(m, 'another migration is in progress');
        await setPhase(m, { phase: 'Pending' });
      },
    },
    {
      name: 'scheduling',
      when: (m) => active(m) && phase(m) === 'Pending',
      delay: (t) => t.migrationStep,
      async apply(m) {
        const vmi = vmiOf(m);
        if (!vmi?.status?.nodeName) return fail(m, 'VMI is gone');
        const target = pickNode(engine.list<Node>(R.nodes), engine.list(R.virtualMachineInstances), vmi, {
          exclude: vmi.status.nodeName,
          extraSelector: m.spec.addedNodeSelector,
        });
        if (!target) return fail(m, 'no node can take the migration target pod');
        const state: MigrationState = {
          migrationUid: m.metadata.uid,
          sourceNode: vmi.status.nodeName,
          targetNode: target.metadata.name,
          targetPod: `virt-launcher-${vmi.metadata.name}-${m.metadata.uid!.slice(0, 5)}`,
          startTimestamp: now(),
          mode: 'PreCopy',
          completed: false,
          failed: false,
        };
        await setPhase(m, { phase: 'Scheduled', migrationState: state });
        await patchVmi(vmi, { migrationState: state });
      },
    },
    {
      name: 'running',
      when: (m) => active(m) && phase(m) === 'Scheduled',
      delay: (t) => t.migrationStep,
      apply: (m) => setPhase(m, { phase: 'Running' }).then(() => {}),
    },
    {
      name: 'fail',
      when: (m) => active(m) && phase(m) === 'Running' && failRequested(m),
      delay: (t) => t.migrationStep,
      apply: (m) => fail(m, 'sandbox fault injection'),
    },
    {
      name: 'switch-over',
      when: (m) => active(m) && phase(m) === 'Running',
      delay: (t) => t.migrationStep,
      async apply(m) {
        const vmi = vmiOf(m);
        const state = m.status?.migrationState;
        if (!vmi || !state?.targetNode) return fail(m, 'VMI is gone');
        const done: MigrationState = { ...state, completed: true, endTimestamp: now() };
        await patchVmi(vmi, {
          nodeName: state.targetNode,
          migrationState: done,
          activePods: { [`${m.metadata.uid}-pod`]: state.targetNode },
        });
        await setPhase(m, { phase: 'Succeeded', migrationState: done });
      },
    },
  ];

  return {
    name,
    type: R.virtualMachineInstanceMigrations,
    async reconcile(key) {
      const m = engine.get<Migration>(R.virtualMachineInstanceMigrations, key);
      if (m) await engine.runStages(name, stages, m);
    },
    watches: [
      {
        type: R.virtualMachineInstances,
        keys: (vmi) =>
          engine
            .list<Migration>(R.virtualMachineInstanceMigrations, (m) => m.metadata.namespace === vmi.metadata.namespace && m.spec.vmiName === vmi.metadata.name)
            .map(keyOf),
      },
    ],
  };
}
