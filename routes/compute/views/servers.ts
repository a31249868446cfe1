import type { Flavor } from '../../../src/compute/flavors.ts';
import { isoMicros, isoSeconds } from '../../../src/compute/model.ts';
import { POD_NETWORK, type ServerRecord } from '../../../src/compute/servers.ts';
import type { ApiVersion } from '../../../src/core/microversion.ts';
import { type LinkBuilder, layerFor, pick } from '../common.ts';
import { SERVER_BASIC_LAYERS, SERVER_LAYERS, SERVER_LIST_LAYERS } from '../schemas/servers.ts';

// Server views (nova/api/openstack/compute/views/servers.py): every field a server can show,
// then the keys of the requested version's layer. Extended attributes are for admins only.

export interface ViewContext {
  version: ApiVersion;
  isAdmin: boolean;
  links: LinkBuilder;
  /** Flavors by id, for the 2.47 embedded flavor. */
  flavors: Map<string, Flavor>;
  /** Availability zone of a node. */
  zoneOf: (node: string | null) => string;
  /** Addresses of servers' ports (tenant networks), by server id and network name. */
  portAddresses?: Map<string, Record<string, { addr: string; version: number; mac: string; type: string }[]>>;
}

const PROGRESS = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);
const ADMIN_ONLY = /^(OS-EXT-SRV-ATTR:|host_status$)/;

/** Nova's hostId: sha224(project id + host), "" when not on a host. */
export const hostIdOf = (s: ServerRecord) => (s.node ? sha224(new TextEncoder().encode(s.projectId + s.node)) : '');

function fields(s: ServerRecord, ctx: ViewContext, extendedAddresses: boolean): Record<string, unknown> {
  const v = ctx.version;
  const flavor = ctx.flavors.get(s.flavorId);
  const status = s.state.status;
  const shape = (a: { addr: string; version: number; mac?: string | undefined; type?: string }) =>
    extendedAddresses ? { addr: a.addr, version: a.version, 'OS-EXT-IPS:type': a.type ?? 'fixed', 'OS-EXT-IPS-MAC:mac_addr': a.mac ?? '' } : { addr: a.addr, version: a.version };
  const addresses = s.addresses.map(shape);
  const ported = Object.fromEntries(Object.entries(ctx.portAddresses?.get(s.id) ?? {}).map(([net, list]) => [net, list.map(shape)]));
  const full: Record<string, unknown> = {
    id: s.id,
    name: s.name,
    status,
    tenant_id: s.projectId,
    user_id: s.userId,
    metadata: s.metadata,
    hostId: hostIdOf(s),
    image: s.imageId ? { id: s.imageId, links: ctx.links.bookmark(`images/${s.imageId}`) } : '',
    flavor: v.atLeast('2.47')
      ? {
          vcpus: flavor?.vcpus ?? 0,
          ram: flavor?.ram ?? 0,
          disk: flavor?.disk ?? 0,
          ephemeral: flavor?.ephemeral ?? 0,
          swap: flavor?.swap ?? 0,
          original_name: flavor?.name ?? s.flavorId,
          extra_specs: flavor?.extraSpecs ?? {},
        }
      : { id: s.flavorId, links: ctx.links.bookmark(`flavors/${s.flavorId}`) },
    created: isoSeconds(s.created),
    updated: isoSeconds(s.updated),
    addresses: { ...(addresses.length ? { [POD_NETWORK]: addresses } : {}), ...ported },
    accessIPv4: s.accessIPv4,
    accessIPv6: s.accessIPv6,
    links: ctx.links.links(`servers/${s.id}`),
    'OS-DCF:diskConfig': s.diskConfig,
    progress: PROGRESS.has(status) ? 0 : undefined,
    fault: s.state.fault && ['ERROR', 'DELETED'].includes(status) ? { ...s.state.fault, created: isoSeconds(s.state.fault.created || s.created) } : undefined,
    key_name: s.keyName,
    // Nova leaves the key out for a server without groups.
    security_groups: s.networksNone || !s.securityGroups.length ? undefined : s.securityGroups.map((name) => ({ name })),
    config_drive: s.configDrive,
    'OS-EXT-AZ:availability_zone': s.node ? ctx.zoneOf(s.node) : (s.requestedZone ?? ''),
    'OS-EXT-STS:task_state': s.state.taskState,
    'OS-EXT-STS:vm_state': s.state.vmState,
    'OS-EXT-STS:power_state': s.state.powerState,
    'OS-SRV-USG:launched_at': s.launchedAt ? isoMicros(s.launchedAt) : null,
    'OS-SRV-USG:terminated_at': null,
    'os-extended-volumes:volumes_attached': s.volumesAttached.map((x) => (v.atLeast('2.3') ? { id: x.id, delete_on_termination: x.deleteOnTermination } : { id: x.id })),
    'OS-EXT-SRV-ATTR:host': s.node,
    'OS-EXT-SRV-ATTR:hypervisor_hostname': s.node,
    'OS-EXT-SRV-ATTR:instance_name': s.object,
    'OS-EXT-SRV-ATTR:hostname': s.hostname,
    'OS-EXT-SRV-ATTR:kernel_id': '',
    'OS-EXT-SRV-ATTR:ramdisk_id': '',
    'OS-EXT-SRV-ATTR:launch_index': s.launchIndex,
    'OS-EXT-SRV-ATTR:reservation_id': s.reservationId,
    'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
    'OS-EXT-SRV-ATTR:user_data': s.userData,
    locked: s.lock.locked,
    host_status: s.node ? 'UP' : '',
    description: s.description,
    tags: s.tags,
    trusted_image_certificates: null,
    server_groups: s.serverGroups,
    locked_reason: s.lock.locked ? s.lock.reason : null,
  };
  if (!ctx.isAdmin) for (const k of Object.keys(full)) if (ADMIN_ONLY.test(k)) delete full[k];
  return full;
}

export const serverBrief = (s: ServerRecord, links: LinkBuilder) => ({ id: s.id, name: s.name, links: links.links(`servers/${s.id}`) });

/** GET /servers/{id}. */
export const serverShow = (s: ServerRecord, ctx: ViewContext) => pick(layerFor(ctx.version, SERVER_LAYERS), fields(s, ctx, true));

/** One item of GET /servers/detail. */
export const serverDetail = (s: ServerRecord, ctx: ViewContext) => pick(layerFor(ctx.version, SERVER_LIST_LAYERS), fields(s, ctx, true));

/** PUT /servers/{id} and rebuild: the basic view below 2.75, the full one (as GET) from 2.75. */
export const serverUpdated = (s: ServerRecord, ctx: ViewContext) =>
  pick(layerFor(ctx.version, SERVER_BASIC_LAYERS), fields(s, ctx, ctx.version.atLeast('2.75')));

/**
 * Rebuild's view: the update view, plus `key_name` from 2.54 and `user_data` for everyone from 2.57; from 2.75 the
 * admin-only `OS-EXT-SRV-ATTR:user_data` gives way to it (Nova's rebuild sample at 2.75).
 */
export function serverRebuilt(s: ServerRecord, ctx: ViewContext): Record<string, unknown> {
  const view: Record<string, unknown> = serverUpdated(s, ctx);
  // 2.54: the key pair name, which rebuild may change.
  if (ctx.version.atLeast('2.54')) view.key_name = s.keyName;
  if (!ctx.version.atLeast('2.57')) return view;
  delete view['OS-EXT-SRV-ATTR:user_data'];
  return { ...view, user_data: s.userData };
}

// ---- SHA-224 (WebCrypto has none: FIPS 180-4, SHA-256 with other IVs, truncated) ----

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

export function sha224(data: Uint8Array): string {
  const h = [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4];
  const len = data.length;
  const padded = new Uint8Array((((len + 8) >> 6) + 1) * 64);
  padded.set(data);
  padded[len] = 0x80;
  const dv = new DataView(padded.buffer);
  dv.setUint32(padded.length - 4, (len * 8) >>> 0);
  dv.setUint32(padded.length - 8, Math.floor((len * 8) / 2 ** 32));
  const w = new Array<number>(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const w15 = w[i - 15] as number;
      const w2 = w[i - 2] as number;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + (K[i] as number) + (w[i] as number)) >>> 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    const add = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = ((h[i] as number) + (add[i] as number)) >>> 0;
  }
  return h
    .slice(0, 7)
    .map((x) => x.toString(16).padStart(8, '0'))
    .join('');
}
