// IPv4 address allocation from CIDRs and ranges: pod IPs from a node's podCIDR, Multus IPs
// from a NetworkAttachmentDefinition's IPAM config, LoadBalancer IPs from a pool.

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export interface Range {
  first: number;
  last: number;
}

/** Usable hosts of a CIDR (without network and broadcast), optionally narrowed to [start, end]. */
export function rangeOf(cidr: string, start?: string, end?: string): Range | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return undefined;
  const bits = Number(m[2]);
  const size = 2 ** (32 - bits);
  const base = toInt(m[1]!) - (toInt(m[1]!) % size);
  let first = size > 2 ? base + 1 : base;
  let last = size > 2 ? base + size - 2 : base + size - 1;
  if (start) first = Math.max(first, toInt(start));
  if (end) last = Math.min(last, toInt(end));
  return first <= last ? { first, last } : undefined;
}

/** The lowest free address of the range, or undefined when it is full. */
export function allocate(range: Range, used: Iterable<string>, skip = 0): string | undefined {
  const taken = new Set([...used].map(toInt));
  for (let n = range.first + skip; n <= range.last; n++) if (!taken.has(n)) return toIp(n);
  return undefined;
}

export const inRange = (range: Range, ip: string) => toInt(ip) >= range.first && toInt(ip) <= range.last;

/**
 * The address range of a NAD's CNI config: whereabouts `range` (+ range_start/range_end),
 * host-local `subnet` (+ rangeStart/rangeEnd) or `ranges[0][0]`. Undefined: no IPAM.
 */
export function nadRange(config: string | undefined): Range | undefined {
  if (!config) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(config) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const plugins = (parsed.plugins as Record<string, unknown>[] | undefined) ?? [parsed];
  for (const p of plugins) {
    const ipam = p.ipam as Record<string, string | unknown> | undefined;
    if (!ipam) continue;
    if (typeof ipam.range === 'string') return rangeOf(ipam.range, ipam.range_start as string, ipam.range_end as string);
    if (typeof ipam.subnet === 'string') return rangeOf(ipam.subnet, ipam.rangeStart as string, ipam.rangeEnd as string);
    const first = (ipam.ranges as { subnet: string; rangeStart?: string; rangeEnd?: string }[][] | undefined)?.[0]?.[0];
    if (first) return rangeOf(first.subnet, first.rangeStart, first.rangeEnd);
  }
  return undefined;
}

/** A stable locally administered MAC derived from a string (object uid + interface). */
export async function macFor(seed: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(seed)));
  const bytes = [0x02, digest[0]!, digest[1]!, digest[2]!, digest[3]!, digest[4]!];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
