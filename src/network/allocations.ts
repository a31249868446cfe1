import { AlreadyExistsError, NotFoundError } from '../kube/index.ts';
import type { NetContext } from './context.ts';
import { nfault } from './context.ts';
import { type Ip, addressKey, contains, formatIp, parseCidr, parseIp, poolRanges } from './ip.ts';
import { KINDS, NL, type Rec } from './store.ts';
import type { SubnetAttrs, SubnetRec } from './subnets.ts';

// Race-free address allocation: an address is taken by creating an IPAllocation whose name
// derives from the subnet and the address, in the subnet's namespace. Two gateway replicas
// (or two parallel requests) asking for the same address: Kubernetes answers 409 to one.
// Written with the gateway's own client: the subnet may belong to another project (a
// shared network), and the port, not the allocation, is what the caller owns.

export interface AllocAttrs extends Record<string, unknown> {
  subnet_id: string;
  network_id: string;
  address: string;
  port_id: string;
}

export const allocationName = (subnetId: string, ip: Ip) => `ip-${subnetId}-${addressKey(ip)}`;

const inUse = (ip: string, subnet: SubnetRec) => nfault(409, 'IpAddressAlreadyAllocated', `IP address ${ip} already allocated in subnet ${subnet.id}`);
const exhausted = (subnet: SubnetRec) => nfault(409, 'IpAddressGenerationFailure', `No more IP addresses available on network ${subnet.attrs.network_id}.`);

async function claim(ctx: NetContext, subnet: SubnetRec, ip: Ip, portId: string): Promise<boolean> {
  const address = formatIp(ip);
  try {
    await ctx.store.create<AllocAttrs>(KINDS.ipallocation, ctx.gw, { subnet_id: subnet.id, network_id: subnet.attrs.network_id, address, port_id: portId }, {
      namespace: subnet.namespace,
      name: allocationName(subnet.id, ip),
      projectId: subnet.projectId,
      labels: { [NL.subnetId]: subnet.id, [NL.networkId]: subnet.attrs.network_id, [NL.portId]: portId },
    });
    return true;
  } catch (err) {
    if (err instanceof AlreadyExistsError) return false;
    throw err;
  }
}

/** Takes `address` on the subnet for the port (409 when taken). */
export async function claimAddress(ctx: NetContext, subnet: SubnetRec, address: string, portId: string): Promise<string> {
  const ip = parseIp(address);
  const cidr = parseCidr(subnet.attrs.cidr);
  if (!ip || !cidr || !contains(cidr, ip)) throw nfault(400, 'InvalidInput', `Invalid input for operation: IP address ${address} is not a valid IP for the specified subnet.`);
  if (!(await claim(ctx, subnet, ip, portId))) throw inUse(formatIp(ip), subnet);
  return formatIp(ip);
}

/** Any free address of the subnet's pools for the port (409 when the pools are full). */
export async function allocateAddress(ctx: NetContext, subnet: SubnetRec, portId: string): Promise<string> {
  const cidr = parseCidr(subnet.attrs.cidr);
  const ranges = cidr ? poolRanges(cidr, subnet.attrs.allocation_pools) : 'bad';
  if (!cidr || typeof ranges === 'string') throw exhausted(subnet);
  const version = cidr.version;
  for (let round = 0; round < 4; round++) {
    const used = new Set((await ctx.store.list<AllocAttrs>(KINDS.ipallocation, `${NL.subnetId}=${subnet.id}`, subnet.namespace)).map((a) => parseIp(a.attrs.address)?.value));
    const free: bigint[] = [];
    for (const [s, e] of ranges) {
      for (let x = s; x <= e && free.length < 4096; x++) if (!used.has(x)) free.push(x);
    }
    if (!free.length) throw exhausted(subnet);
    // Start at a random free address so parallel requests rarely collide; walk on a collision.
    const start = Math.floor(Math.random() * free.length);
    for (let i = 0; i < free.length; i++) {
      const value = free[(start + i) % free.length] as bigint;
      if (await claim(ctx, subnet, { version, value }, portId)) return formatIp({ version, value });
    }
  }
  throw exhausted(subnet);
}

/** Releases every address of a port (or only those on the given subnets). */
export async function releaseAddresses(ctx: NetContext, portId: string, keep?: (a: Rec<AllocAttrs>) => boolean): Promise<void> {
  const mine = await ctx.store.list<AllocAttrs>(KINDS.ipallocation, `${NL.portId}=${portId}`);
  await Promise.all(
    mine
      .filter((a) => !keep?.(a))
      .map((a) =>
        ctx.gw.delete(KINDS.ipallocation.type, a.object, { namespace: a.namespace }).catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        }),
      ),
  );
}

export type { SubnetAttrs };
