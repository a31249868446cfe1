import { MiB, quantityBytes } from './model.ts';
import type { ServerRecord } from './servers.ts';

// Nova's standard diagnostics (2.48) from the running VirtualMachineInstance: its size and
// devices as KubeVirt runs them (libvirt + KVM inside virt-launcher). Kubernetes' API carries
// no guest counters (CPU time, I/O, traffic), so those are null, as Nova allows.

export interface Diagnostics {
  state: 'running' | 'paused';
  driver: 'libvirt';
  hypervisor: string;
  hypervisor_os: string;
  uptime: number | null;
  config_drive: boolean;
  num_cpus: number;
  num_nics: number;
  num_disks: number;
  memory_details: { maximum: number | null; used: null };
  cpu_details: { id: number; time: null; utilisation: null }[];
  nic_details: Record<string, string | null>[];
  disk_details: Record<string, null>[];
}

const COUNTERS = ['rx_octets', 'rx_errors', 'rx_drop', 'rx_packets', 'rx_rate', 'tx_octets', 'tx_errors', 'tx_drop', 'tx_packets', 'tx_rate'];
const DISK_COUNTERS = ['read_bytes', 'read_requests', 'write_bytes', 'write_requests', 'errors_count'];

/** The diagnostics of a server whose VMI runs (the caller checks the state). */
export function diagnosticsOf(s: ServerRecord, now: number): Diagnostics {
  const spec = s.vmi?.spec.domain as { cpu?: { sockets?: number; cores?: number; threads?: number }; memory?: { guest?: string }; devices?: { disks?: unknown[]; interfaces?: { name: string }[] } } | undefined;
  const cpu = spec?.cpu;
  const cpus = (cpu?.sockets ?? 1) * (cpu?.cores ?? 1) * (cpu?.threads ?? 1);
  const memory = quantityBytes(spec?.memory?.guest);
  const macs = new Map((s.vmi?.status?.interfaces ?? []).map((i) => [i.name ?? '', i.mac ?? null]));
  const nics = spec?.devices?.interfaces ?? [];
  const disks = spec?.devices?.disks ?? [];
  const running = (s.vmi?.status as { phaseTransitionTimestamps?: { phase: string; phaseTransitionTimestamp: string }[] } | undefined)?.phaseTransitionTimestamps?.find((t) => t.phase === 'Running')?.phaseTransitionTimestamp;
  const since = Date.parse(running ?? s.vmi?.metadata.creationTimestamp ?? '');
  return {
    state: s.state.vmState === 'paused' ? 'paused' : 'running',
    driver: 'libvirt',
    hypervisor: 'kvm',
    hypervisor_os: 'linux',
    uptime: Number.isNaN(since) ? null : Math.max(0, Math.floor((now - since) / 1000)),
    config_drive: s.configDrive === 'True',
    num_cpus: cpus,
    num_nics: nics.length,
    num_disks: disks.length,
    memory_details: { maximum: memory === undefined ? null : Math.round(memory / MiB), used: null },
    cpu_details: Array.from({ length: cpus }, (_, id) => ({ id, time: null, utilisation: null })),
    nic_details: nics.map((n) => ({ mac_address: macs.get(n.name) ?? null, ...Object.fromEntries(COUNTERS.map((k) => [k, null])) })),
    disk_details: disks.map(() => Object.fromEntries(DISK_COUNTERS.map((k) => [k, null]))),
  };
}
