// virt-controller + virt-handler for VirtualMachineInstances, as stages:
// "" → Pending → Scheduling → Scheduled → Running (or Failed under fault injection),
// deletion → Succeeded → finalizer removed.

import { AlreadyExistsError, type KubeObject, NotFoundError, R } from '../../kube/index.ts';
import { launcherPod } from './consoles.ts';
import type { Controller, Engine, Stage } from './engine.ts';
import { allocate, inRange, macFor, nadRange, rangeOf } from './ipam.ts';

import type { Condition, Json, VirtualMachineInstance } from './model.ts';
import { type Node, pickNode } from './scheduling.ts';
import { failRequested, findCondition, keyOf, now, nsKey, setCondition } from './util.ts';

/** The pod annotation Calico's IPAM reads for a requested address; the sandbox's CNI does too. */
const CALICO_IP_ADDRS = 'cni.projectcalico.org/ipAddrs';

export const VMI_FINALIZER = 'kubevirt.io/virtualMachineControllerFinalize';
const POD_CIDR = '10.244.0.0/16';

interface Nad extends KubeObject {
  spec?: { config?: string };
}

export function vmiController(engine: Engine): Controller {
  const name = 'virtualmachineinstance';
  const patchStatus = async (vmi: VirtualMachineInstance, status: Json) =>
    engine.track(
      R.virtualMachineInstances,
      await engine.client.patchStatus<VirtualMachineInstance>(R.virtualMachineInstances, vmi.metadata.name!, { status }, {
        namespace: vmi.metadata.namespace,
        type: 'merge',
      }),
    );
  const phase = (vmi: VirtualMachineInstance) => vmi.status?.phase ?? '';
  const transition = (vmi: VirtualMachineInstance, p: string) => [
    ...((vmi.status?.phaseTransitionTimestamps as Json[] | undefined) ?? []),
    { phase: p, phaseTransitionTimestamp: now() },
  ];

  /** Every address in use, so a new one is unique (the worker is serial, the cache write-through). */
  function usedIps(): string[] {
    return engine
      .list<VirtualMachineInstance>(R.virtualMachineInstances)
      .flatMap((v) => v.status?.interfaces ?? [])
      .flatMap((i) => i.ipAddresses ?? (i.ipAddress ? [i.ipAddress] : []));
  }

  /**
   * The address the pod asks for the way Calico reads it (a JSON list), when free: like Calico's
   * pools it may lie in another node's block.
   */
  function requestedIp(vmi: VirtualMachineInstance): string | undefined {
    let asked: unknown;
    try {
      asked = JSON.parse(vmi.metadata.annotations?.[CALICO_IP_ADDRS] ?? 'null');
    } catch {
      return undefined;
    }
    const ip = Array.isArray(asked) && typeof asked[0] === 'string' ? asked[0] : undefined;
    return ip && inRange(rangeOf(POD_CIDR)!, ip) && !usedIps().includes(ip) ? ip : undefined;
  }

  /** Pod network IPs come from the node's podCIDR; Multus ones from the NAD's IPAM range. */
  async function interfaces(vmi: VirtualMachineInstance, nodeName: string): Promise<Json[]> {
    const node = engine.get<Node>(R.nodes, nsKey(undefined, nodeName));
    const podRange = rangeOf(node?.spec?.podCIDR ?? POD_CIDR)!;
    const networks = vmi.spec.networks ?? [{ name: 'default', pod: {} }];
    const ifaces = vmi.spec.domain?.devices?.interfaces ?? [];
    const out: Json[] = [];
    for (const [i, net] of networks.entries()) {
      const iface = ifaces.find((x) => x.name === net.name);
      const mac = iface?.macAddress ?? (await macFor(`${vmi.metadata.uid}/${net.name}`));
      let ip: string | undefined;
      let infoSource = 'domain, guest-agent';
      if (net.pod) {
        const previous = vmi.status?.interfaces?.find((x) => x.name === net.name)?.ipAddress;
        ip = previous && inRange(podRange, previous) ? previous : (requestedIp(vmi) ?? allocate(podRange, usedIps(), 1));
      } else if (net.multus) {
        infoSource = 'domain, guest-agent, multus-status';
        const [nadNs, nadName] = net.multus.networkName.includes('/')
          ? (net.multus.networkName.split('/') as [string, string])
          : [vmi.metadata.namespace!, net.multus.networkName];
        const nad = await engine.client.get<Nad>(R.networkAttachmentDefinitions, nadName, { namespace: nadNs }).catch(() => undefined);
        const range = nadRange(nad?.spec?.config);
        const previous = vmi.status?.interfaces?.find((x) => x.name === net.name)?.ipAddress;
        ip = previous ?? (range ? allocate(range, usedIps()) : undefined);
      }
      out.push({
        name: net.name,
        interfaceName: `eth${i}`,
        mac,
        ...(ip ? { ipAddress: ip, ipAddresses: [ip] } : {}),
        infoSource,
        queueCount: 1,
        linkState: 'up',
        podInterfaceName: net.pod ? 'eth0' : `pod${net.name}`,
      });
    }
    return out;
  }

  function volumeStatus(vmi: VirtualMachineInstance): Json[] {
    return (vmi.spec.volumes ?? []).map((v, i) => {
      const hotplug = v.dataVolume?.hotpluggable || v.persistentVolumeClaim?.hotpluggable;
      return {
        name: v.name,
        target: hotplug ? `sd${String.fromCharCode(97 + i)}` : `vd${String.fromCharCode(97 + i)}`,
        ...(hotplug ? { phase: 'Ready', reason: 'VolumeReady', message: 'Successfully attach hotplugged volume', hotplugVolume: { attachPodName: `hp-volume-${vmi.metadata.name}` } } : {}),
        ...(v.dataVolume || v.persistentVolumeClaim
          ? { persistentVolumeClaimInfo: { claimName: v.dataVolume?.name ?? v.persistentVolumeClaim?.claimName } }
          : {}),
      };
    });
  }

  const running = (vmi: VirtualMachineInstance) => phase(vmi) === 'Running';
  const stages: Stage<VirtualMachineInstance>[] = [
    {
      name: 'stop',
      when: (vmi) => !!vmi.metadata.deletionTimestamp && (vmi.metadata.finalizers ?? []).includes(VMI_FINALIZER),
      delay: (t) => t.vmiStop,
      async apply(vmi) {
        if (!['Succeeded', 'Failed'].includes(phase(vmi))) {
          vmi = await patchStatus(vmi, {
            phase: 'Succeeded',
            phaseTransitionTimestamps: transition(vmi, 'Succeeded'),
            conditions: setCondition(vmi.status?.conditions, { type: 'Ready', status: 'False', reason: 'PodTerminating' }),
          });
        }
        // virt-launcher has exited: the kubelet's part, removing its Pod at once (on a real
        // apiserver a bound Pod otherwise waits for a kubelet, and its namespace with it).
        const pod = launcherPod(vmi, '').metadata;
        await engine.client.delete(R.pods, pod.name as string, { namespace: pod.namespace, gracePeriodSeconds: 0 }).catch((e: unknown) => {
          if (!(e instanceof NotFoundError)) throw e;
        });
        const finalizers = (vmi.metadata.finalizers ?? []).filter((f) => f !== VMI_FINALIZER);
        await engine.client.patch(R.virtualMachineInstances, vmi.metadata.name!, { metadata: { finalizers } }, {
          namespace: vmi.metadata.namespace,
          type: 'merge',
        });
      },
    },
    {
      name: 'pending',
      when: (vmi) => !vmi.metadata.deletionTimestamp && phase(vmi) === '',
      delay: () => 0,
      apply: (vmi) =>
        patchStatus(vmi, {
          phase: 'Pending',
          phaseTransitionTimestamps: transition(vmi, 'Pending'),
          guestOSInfo: {},
          qosClass: 'Burstable',
          conditions: setCondition(vmi.status?.conditions, { type: 'Ready', status: 'False', reason: 'PodNotExists', message: 'virt-launcher pod has not yet been scheduled' }),
        }).then(() => {}),
    },
    {
      name: 'scheduling',
      when: (vmi) => !vmi.metadata.deletionTimestamp && phase(vmi) === 'Pending',
      delay: () => 0,
      apply: (vmi) => patchStatus(vmi, { phase: 'Scheduling', phaseTransitionTimestamps: transition(vmi, 'Scheduling') }).then(() => {}),
    },
    {
      name: 'schedule',
      when: (vmi) =>
        !vmi.metadata.deletionTimestamp &&
        phase(vmi) === 'Scheduling' &&
        // Unschedulable VMIs are looked at again when nodes change (see watches).
        findCondition(vmi.status?.conditions, 'PodScheduled')?.status !== 'False',
      delay: (t) => t.vmiSchedule,
      async apply(vmi) {
        const node = pickNode(engine.list<Node>(R.nodes), engine.list(R.virtualMachineInstances), vmi);
        if (!node) {
          await patchStatus(vmi, {
            conditions: setCondition(vmi.status?.conditions, {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: `0/${engine.list(R.nodes).length} nodes are available: node(s) didn't match Pod's node affinity/selector.`,
            }),
          });
          return;
        }
        // virt-launcher's Pod, for the guest console log (pods/log). Best effort: a retried stage
        // finds it made, and a cluster that refuses it (no `default` ServiceAccount yet) only
        // loses the console log, never the VMI.
        await engine.client.create(R.pods, launcherPod(vmi, node.metadata.name as string)).catch((e: unknown) => {
          if (!(e instanceof AlreadyExistsError)) console.error(`sandbox: no virt-launcher pod for ${vmi.metadata.namespace}/${vmi.metadata.name}: ${(e as Error).message}`);
        });
        await patchStatus(vmi, {
          phase: 'Scheduled',
          phaseTransitionTimestamps: transition(vmi, 'Scheduled'),
          nodeName: node.metadata.name,
          activePods: { [`${vmi.metadata.uid}-pod`]: node.metadata.name },
          conditions: setCondition(vmi.status?.conditions, { type: 'PodScheduled', status: 'True' }),
        });
      },
    },
    {
      name: 'fail',
      when: (vmi) => !vmi.metadata.deletionTimestamp && phase(vmi) === 'Scheduled' && failRequested(vmi),
      delay: (t) => t.vmiBoot,
      apply: (vmi) =>
        patchStatus(vmi, {
          phase: 'Failed',
          reason: 'SandboxFaultInjected',
          phaseTransitionTimestamps: transition(vmi, 'Failed'),
          conditions: setCondition(vmi.status?.conditions, { type: 'Ready', status: 'False', reason: 'GuestNotRunning', message: 'sandbox fault injection' }),
        }).then(() => {}),
    },
    {
      name: 'boot',
      when: (vmi) => !vmi.metadata.deletionTimestamp && phase(vmi) === 'Scheduled',
      delay: (t) => t.vmiBoot,
      async apply(vmi) {
        let conds: Condition[] | undefined = vmi.status?.conditions;
        conds = setCondition(conds, { type: 'Ready', status: 'True' });
        conds = setCondition(conds, { type: 'LiveMigratable', status: 'True' });
        conds = setCondition(conds, { type: 'AgentConnected', status: 'True' });
        if (vmi.spec.startStrategy === 'Paused')
          conds = setCondition(conds, { type: 'Paused', status: 'True', reason: 'PausedByUser', message: 'VMI was paused by user' });
        const cpu = vmi.spec.domain?.cpu ?? {};
        await patchStatus(vmi, {
          phase: 'Running',
          phaseTransitionTimestamps: transition(vmi, 'Running'),
          conditions: conds,
          interfaces: await interfaces(vmi, vmi.status?.nodeName ?? ''),
          volumeStatus: volumeStatus(vmi),
          guestOSInfo: { id: 'fedora', name: 'Fedora Linux', prettyName: 'Fedora Linux 41 (Cloud Edition)', version: '41', versionId: '41', kernelRelease: '6.11.4-301.fc41.x86_64', machine: 'x86_64' },
          currentCPUTopology: { cores: cpu.cores ?? 1, sockets: cpu.sockets ?? 1, threads: cpu.threads ?? 1 },
          memory: { guestAtBoot: vmi.spec.domain?.memory?.guest, guestCurrent: vmi.spec.domain?.memory?.guest, guestRequested: vmi.spec.domain?.memory?.guest },
          launcherContainerImageVersion: 'quay.io/kubevirt/virt-launcher:v1.9.0',
          migrationMethod: 'BlockMigration',
        });
      },
    },
    {
      name: 'hotplug',
      when: (vmi) => !vmi.metadata.deletionTimestamp && running(vmi) && JSON.stringify(volumeStatus(vmi)) !== JSON.stringify(vmi.status?.volumeStatus ?? []),
      delay: () => 0,
      apply: (vmi) => patchStatus(vmi, { volumeStatus: volumeStatus(vmi) }).then(() => {}),
    },
  ];

  return {
    name,
    type: R.virtualMachineInstances,
    watches: [
      {
        // A node appearing or changing may make waiting VMIs schedulable.
        type: R.nodes,
        keys: () =>
          engine
            .list<VirtualMachineInstance>(R.virtualMachineInstances, (v) => findCondition(v.status?.conditions, 'PodScheduled')?.status === 'False')
            .map(keyOf),
      },
    ],
    async reconcile(key) {
      let vmi = engine.get<VirtualMachineInstance>(R.virtualMachineInstances, key);
      if (!vmi) return;
      // Unschedulable VMIs retry when a node changes: clear the marker, then schedule again.
      const sched = findCondition(vmi.status?.conditions, 'PodScheduled');
      if (sched?.status === 'False' && phase(vmi) === 'Scheduling' && pickNode(engine.list<Node>(R.nodes), engine.list(R.virtualMachineInstances), vmi))
        vmi = await patchStatus(vmi, { conditions: (vmi.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled') });
      await engine.runStages(name, stages, vmi);
    },
  };
}
