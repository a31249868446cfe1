import type { KubeClient, KubeObject } from '../../kube/index.ts';
import { NotFoundError, R } from '../../kube/index.ts';
import type { PodLogSource } from '../types.ts';
import { type ConnectWebSocket, WebSocketRefused, type WsData, type WsEvents, type WsPeer } from '../../platform.ts';
import type { VirtualMachineInstance } from './model.ts';
import { RfbSession } from './rfb.ts';

// virt-api's `vnc` and `console` websocket subresources (subprotocol plain.kubevirt.io) for
// the sandbox: a real RFB server that draws the VMI's name, and a serial port that prints a
// boot log and echoes what is typed. The upgrade itself belongs to whoever serves the
// sandbox: in-process (`inProcessWebSocket`) or over HTTP (platform/sandbox-http.ts). Both
// hand the sandbox a Request registered in `upgrades`; the API server authenticates and
// authorizes it like any request, and the handler calls the registered acceptor.

export const PROTOCOL = 'plain.kubevirt.io';

/** The server side of one console: given the client end, it returns its event handlers. */
export type ConsoleServer = (client: WsPeer) => WsEvents;

/** Requests that carry a websocket upgrade, with the function that completes it. */
export const upgrades = new WeakMap<Request, (server: ConsoleServer) => void>();

/** The simulated serial output of a booting guest (also its virt-launcher's guest console log). */
export function bootLog(vmi: VirtualMachineInstance): string[] {
  const host = (vmi.spec as { hostname?: string }).hostname ?? vmi.metadata.name ?? 'localhost';
  const cpu = vmi.spec.domain?.cpu?.cores ?? 1;
  return [
    '[    0.000000] Linux version 6.1.0-sandbox (dicot@sandbox) #1 SMP PREEMPT_DYNAMIC',
    '[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=LABEL=cloudimg-rootfs ro console=tty1 console=ttyS0',
    '[    0.000000] DMI: KubeVirt None/RHEL, BIOS 1.16.3-2.el9 04/01/2014',
    '[    0.000000] Hypervisor detected: KVM',
    `[    0.010000] smpboot: Allowing ${cpu} CPUs, 0 hotplug CPUs`,
    '[    0.210000] Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled',
    '[    0.212000] 00:04: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A',
    '[    0.530000] virtio_blk virtio2: [vda] 20971520 512-byte logical blocks (10.7 GB/10.0 GiB)',
    '[    0.610000] virtio_net virtio1 enp1s0: renamed from eth0',
    '[    1.020000] EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.',
    '[    1.400000] systemd[1]: systemd 252 running in system mode',
    `[    1.410000] systemd[1]: Hostname set to <${host}>.`,
    '[  OK  ] Started Journal Service.',
    '[  OK  ] Finished Load Kernel Modules.',
    '[  OK  ] Reached target Local File Systems.',
    `[    3.120000] cloud-init[402]: Cloud-init v. 23.1 running 'init' on ${host}`,
    `[    3.300000] cloud-init[402]: ci-info: | enp1s0 | True | ${vmi.status?.interfaces?.[0]?.ipAddress ?? '-'} |`,
    '[  OK  ] Started OpenBSD Secure Shell server.',
    `[    4.800000] cloud-init[520]: Cloud-init v. 23.1 finished. Datasource DataSourceConfigDrive. Up 4.80 seconds`,
    '[  OK  ] Reached target Multi-User System.',
    '',
    `Dicot sandbox guest ${host} ttyS0`,
    '',
  ];
}

export const loginPrompt = (vmi: VirtualMachineInstance) => `${(vmi.spec as { hostname?: string }).hostname ?? vmi.metadata.name} login: `;

const bytes = (d: WsData): Uint8Array => (typeof d === 'string' ? new TextEncoder().encode(d) : new Uint8Array(d));
const buffer = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

export function vncServer(vmi: VirtualMachineInstance): ConsoleServer {
  return (client) => {
    const session = new RfbSession(vmi.metadata.name ?? 'vm', [`namespace ${vmi.metadata.namespace}`, `node ${vmi.status?.nodeName ?? '-'}`]);
    client.send(buffer(session.start()));
    return {
      onMessage(data) {
        try {
          for (const reply of session.receive(bytes(data))) client.send(buffer(reply));
        } catch (e) {
          client.close(1002, (e as Error).message.slice(0, 120));
        }
      },
      onClose() {},
    };
  };
}

export function serialServer(vmi: VirtualMachineInstance): ConsoleServer {
  return (client) => {
    client.send(buffer(new TextEncoder().encode(`${bootLog(vmi).join('\r\n')}\r\n${loginPrompt(vmi)}`)));
    return {
      onMessage(data) {
        let echo = '';
        for (const ch of new TextDecoder().decode(bytes(data))) echo += ch === '\r' ? '\r\n' : ch === '\x7f' ? '\b \b' : ch;
        client.send(buffer(new TextEncoder().encode(echo)));
      },
      onClose() {},
    };
  };
}

const status = (code: number, reason: string, message: string) =>
  Response.json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }, { status: code });

/** GET .../virtualmachineinstances/{name}/vnc|console, after the API server authorized it. */
export async function consoleHandler(client: KubeClient, req: Request, ns: string, name: string, kind: 'vnc' | 'console'): Promise<Response> {
  const accept = upgrades.get(req);
  if (!accept) return status(400, 'BadRequest', "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header");
  const offered = (req.headers.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(PROTOCOL)) return status(400, 'BadRequest', `websocket: the client does not offer the ${PROTOCOL} subprotocol`);
  let vmi: VirtualMachineInstance;
  try {
    vmi = await client.get<VirtualMachineInstance>(R.virtualMachineInstances, name, { namespace: ns });
  } catch (e) {
    if (e instanceof NotFoundError) return status(404, 'NotFound', `virtualmachineinstance.kubevirt.io "${name}" not found`);
    throw e;
  }
  if (vmi.status?.phase !== 'Running')
    return status(409, 'Conflict', `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": Unable to connect to VM because phase is ${vmi.status?.phase ?? 'Pending'} instead of Running`);
  accept(kind === 'vnc' ? vncServer(vmi) : serialServer(vmi));
  return new Response(null, { status: 200 });
}

/**
 * The client end and the server end of an in-memory websocket. Frames are delivered on a
 * later microtask, as over a network, and never after a close.
 */
function pair(server: ConsoleServer, events: WsEvents): WsPeer {
  let closed = false;
  let serverEvents: WsEvents | undefined;
  const close = (code = 1000, reason = '') => {
    if (closed) return;
    closed = true;
    queueMicrotask(() => {
      events.onClose(code, reason);
      serverEvents?.onClose(code, reason);
    });
  };
  const end = (deliver: (d: WsData) => void): WsPeer => ({
    protocol: PROTOCOL,
    bufferedAmount: 0,
    send: (d) => {
      if (!closed) queueMicrotask(() => !closed && deliver(d));
    },
    close,
  });
  const gatewayEnd = end((d) => serverEvents?.onMessage(d));
  serverEvents = server(end((d) => events.onMessage(d)));
  return gatewayEnd;
}

/** A ConnectWebSocket for a sandbox reached in-process (its fetch handler, no socket). */
export function inProcessWebSocket(fetch: (req: Request) => Promise<Response>): ConnectWebSocket {
  return async (url, init) => {
    const headers = new Headers(init.headers);
    headers.set('connection', 'Upgrade');
    headers.set('upgrade', 'websocket');
    headers.set('sec-websocket-protocol', init.protocols.join(', '));
    const req = new Request(url.replace(/^ws/, 'http'), { headers });
    let peer: WsPeer | undefined;
    upgrades.set(req, (server) => {
      peer = pair(server, init);
    });
    const res = await fetch(req);
    if (!peer) throw new WebSocketRefused(res.status, await res.text());
    return peer;
  };
}

export const GUEST_CONSOLE_LOG = 'guest-console-log';
export const CREATED_BY = 'kubevirt.io/created-by';

/** virt-launcher's Pod for a scheduled VMI, as virt-controller makes it (owned by the VMI). */
export function launcherPod(vmi: VirtualMachineInstance, nodeName: string): KubeObject {
  const name = vmi.metadata.name as string;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `virt-launcher-${name.slice(0, 40)}-${(vmi.metadata.uid ?? '').replace(/-/g, '').slice(0, 5)}`,
      namespace: vmi.metadata.namespace,
      labels: { 'kubevirt.io': 'virt-launcher', [CREATED_BY]: vmi.metadata.uid as string, 'vm.kubevirt.io/name': name },
      ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name, uid: vmi.metadata.uid as string, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName,
      containers: [
        { name: 'compute', image: 'quay.io/kubevirt/virt-launcher:v1.9.0' },
        { name: GUEST_CONSOLE_LOG, image: 'quay.io/kubevirt/virt-launcher:v1.9.0' },
      ],
    },
  } as KubeObject;
}

/** The kubelet's side of `pods/log` for virt-launcher pods: the guest's serial log. */
export function guestConsoleLogs(client: KubeClient): PodLogSource {
  return async (pod, container) => {
    const owner = pod.metadata.ownerReferences?.find((o) => o.kind === 'VirtualMachineInstance');
    if (!owner || !pod.metadata.labels?.[CREATED_BY]) return undefined;
    if (container !== GUEST_CONSOLE_LOG) return '';
    try {
      const vmi = await client.get<VirtualMachineInstance>(R.virtualMachineInstances, owner.name, { namespace: pod.metadata.namespace });
      return vmi.status?.phase === 'Running' ? `${bootLog(vmi).join('\n')}\n${loginPrompt(vmi)}\n` : undefined;
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  };
}
