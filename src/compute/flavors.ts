import { AlreadyExistsError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { conflict, notFound } from '../core/faults.ts';
import {
  CA,
  type Instancetype,
  MANAGED,
  MiB,
  StringList,
  StringMap,
  annotationsOf,
  intOf,
  numberOf,
  quantityBytes,
  sha256Hex,
} from './model.ts';

// Flavors are VirtualMachineClusterInstancetypes. The flavor id is the object name (the
// common-instancetypes appear as `u1.small`...); ids that are not valid object names (Nova
// allows "Small Flavor 1") map to a digest-derived name with the id in an annotation.
// What Kubernetes has no field for (disk, swap, ephemeral, rxtx, access, extra specs) is in
// annotations.

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number; // MiB
  disk: number; // GiB
  swap: number; // MiB
  ephemeral: number;
  rxtxFactor: number;
  isPublic: boolean;
  disabled: boolean;
  description: string | null;
  extraSpecs: Record<string, string>;
  /** Projects given access to a private flavor. */
  access: string[];
  /** Object name of the instancetype. */
  object: string;
  /** Dicot created it (admins may delete only those... and any, as Nova's admin may). */
  managed: boolean;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Object name for a flavor id: the id itself when Kubernetes accepts it. */
export async function flavorObjectName(id: string): Promise<string> {
  if (id.length <= 253 && DNS_SUBDOMAIN.test(id)) return id;
  return `flavor-${(await sha256Hex(id)).slice(0, 24)}`;
}

/** Pure: instancetype → flavor record. */
export function toFlavor(it: Instancetype): Flavor {
  const a = annotationsOf(it);
  const object = it.metadata.name ?? '';
  const memBytes = quantityBytes(it.spec?.memory?.guest) ?? 0;
  return {
    id: a[CA.flavorId] ?? object,
    name: a[CA.name] ?? object,
    vcpus: Number(it.spec?.cpu?.guest ?? 0) || 0,
    ram: Math.round(memBytes / MiB),
    disk: intOf(a[CA.disk]),
    swap: intOf(a[CA.swap]),
    ephemeral: intOf(a[CA.ephemeral]),
    rxtxFactor: numberOf(a[CA.rxtxFactor], 1.0),
    isPublic: a[CA.isPublic] !== 'false',
    disabled: false,
    description: a[CA.description] ?? null,
    extraSpecs: StringMap(a[CA.extraSpecs]),
    access: StringList(a[CA.access]),
    object,
    managed: it.metadata.labels?.['app.kubernetes.io/managed-by'] === 'dicot',
  };
}

export interface FlavorCreate {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  swap: number;
  ephemeral: number;
  rxtxFactor: number;
  isPublic: boolean;
  description: string | null;
}

/** Pure: the instancetype a new flavor becomes. */
export function instancetypeFor(f: FlavorCreate, object: string): Instancetype {
  return {
    apiVersion: 'instancetype.kubevirt.io/v1beta1',
    kind: 'VirtualMachineClusterInstancetype',
    metadata: {
      name: object,
      labels: { ...MANAGED, 'instancetype.kubevirt.io/cpu': String(f.vcpus), 'instancetype.kubevirt.io/memory': `${f.ram}Mi` },
      annotations: {
        [CA.name]: f.name,
        ...(f.id !== object ? { [CA.flavorId]: f.id } : {}),
        [CA.disk]: String(f.disk),
        [CA.swap]: String(f.swap),
        [CA.ephemeral]: String(f.ephemeral),
        [CA.rxtxFactor]: String(f.rxtxFactor),
        [CA.isPublic]: String(f.isPublic),
        ...(f.description !== null ? { [CA.description]: f.description } : {}),
      },
    },
    spec: { cpu: { guest: f.vcpus }, memory: { guest: `${f.ram}Mi` } },
  };
}

/** Who may see a flavor (Nova: public ones, or private ones the project was given). */
export const visibleTo = (f: Flavor, projectId: string | undefined, isAdmin: boolean) =>
  isAdmin || f.isPublic || (projectId !== undefined && f.access.includes(projectId));

/**
 * Flavor storage. Reads use the gateway's own client: every Nova user may read flavors
 * (Keystone policy), while Kubernetes RBAC grants cluster instancetypes only to some. Writes
 * go through the caller's impersonating client, so RBAC decides who may create them.
 */
export class Flavors {
  constructor(private readonly reader: KubeClient) {}

  async list(): Promise<Flavor[]> {
    const list = await this.reader.listAll<Instancetype>(R.clusterInstancetypes);
    return list.items.filter((i) => !i.metadata.deletionTimestamp).map(toFlavor);
  }

  async get(id: string): Promise<Flavor | undefined> {
    try {
      const it = await this.reader.get<Instancetype>(R.clusterInstancetypes, await flavorObjectName(id));
      const f = toFlavor(it);
      return f.id === id ? f : undefined;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async require(id: string): Promise<Flavor> {
    const f = await this.get(id);
    if (!f) throw notFound(`Flavor ${id} could not be found.`);
    return f;
  }

  async create(writer: KubeClient, f: FlavorCreate): Promise<Flavor> {
    if ((await this.list()).some((x) => x.name === f.name)) throw conflict(`Flavor with name ${f.name} already exists.`);
    const object = await flavorObjectName(f.id);
    try {
      return toFlavor(await writer.create(R.clusterInstancetypes, instancetypeFor(f, object)));
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw conflict(`Flavor with ID ${f.id} already exists.`);
      throw err;
    }
  }

  async delete(writer: KubeClient, f: Flavor): Promise<void> {
    try {
      await writer.delete(R.clusterInstancetypes, f.object);
    } catch (err) {
      if (err instanceof NotFoundError) throw notFound(`Flavor ${f.id} could not be found.`);
      throw err;
    }
  }

  async annotate(writer: KubeClient, f: Flavor, annotations: Record<string, string | null>): Promise<Flavor> {
    const out = await writer.patch<Instancetype>(R.clusterInstancetypes, f.object, { metadata: { annotations } }, { type: 'merge' });
    return toFlavor(out);
  }
}

export const FLAVOR_SORT_KEYS: Record<string, (f: Flavor) => string | number> = {
  flavorid: (f) => f.id,
  id: (f) => f.id,
  name: (f) => f.name,
  memory_mb: (f) => f.ram,
  vcpus: (f) => f.vcpus,
  root_gb: (f) => f.disk,
  ephemeral_gb: (f) => f.ephemeral,
  swap: (f) => f.swap,
  rxtx_factor: (f) => f.rxtxFactor,
};

/** Pure: sort by a Nova sort key, ties broken by id. */
export function sortFlavors(items: Flavor[], key: string, dir: 'asc' | 'desc'): Flavor[] {
  const get = FLAVOR_SORT_KEYS[key] ?? FLAVOR_SORT_KEYS.flavorid!;
  const sign = dir === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => {
    const x = get(a);
    const y = get(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en');
    return sign * (c || a.id.localeCompare(b.id, 'en'));
  });
}
