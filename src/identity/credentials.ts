import { conflict } from '../core/faults.ts';
import { type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { Collection } from './collection.ts';
import { A, type KubeSecret, L, MANAGED, SYSTEM_NS, decode, encode, idOf } from './model.ts';

// Keystone's credential store (/v3/credentials and the EC2 view of it): one Secret per
// credential in dicot-system, the blob in its data (encrypted at rest where the cluster
// encrypts Secrets, as Keystone encrypts blobs with its credential keys).

export interface CredentialRecord {
  id: string;
  object: string;
  userId: string;
  projectId: string | null;
  type: string;
  blob: string;
}

const TYPE = 'openstack.dicot.io/credential-type';
/** An EC2 credential's access key, to find it by the key the EC2 API names it with. */
const ACCESS = 'openstack.dicot.io/ec2-access';

function toCredential(obj: KubeSecret): CredentialRecord {
  const a = obj.metadata.annotations ?? {};
  return {
    id: idOf(obj),
    object: obj.metadata.name ?? '',
    userId: obj.metadata.labels?.[L.userId] ?? '',
    projectId: a[A.projectId] ?? null,
    type: a[TYPE] ?? '',
    blob: decode(obj.data?.blob) ?? '',
  };
}

/** The access key of an EC2 blob (`{"access": ..., "secret": ...}`), when it has one. */
export function ec2Access(blob: string): string | undefined {
  try {
    const access = (JSON.parse(blob) as { access?: unknown }).access;
    return typeof access === 'string' ? access : undefined;
  } catch {
    return undefined;
  }
}

/** A label value standing for an access key (keys are free text; labels are not). */
async function accessLabel(access: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(access)));
  return [...digest.slice(0, 20)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class Credentials {
  readonly col: Collection<KubeSecret>;
  constructor(kube: KubeClient) {
    this.col = new Collection<KubeSecret>(kube, R.secrets, SYSTEM_NS, `${L.managedBy}=dicot,${L.kind}=credential`);
  }

  async list(filter: { userId?: string; type?: string } = {}): Promise<CredentialRecord[]> {
    const items = (await this.col.list(filter.userId ? `${L.userId}=${filter.userId}` : undefined)).map(toCredential);
    return items.filter((c) => filter.type === undefined || c.type === filter.type);
  }

  async get(id: string): Promise<CredentialRecord | undefined> {
    const obj = await this.col.byId(id);
    return obj ? toCredential(obj) : undefined;
  }

  async byAccess(userId: string, access: string): Promise<CredentialRecord | undefined> {
    const found = await this.col.list(`${L.userId}=${userId},${ACCESS}=${await accessLabel(access)}`);
    return found.map(toCredential).find((c) => c.type === 'ec2' && ec2Access(c.blob) === access);
  }

  private async labels(c: { userId: string; type: string; blob: string }): Promise<Record<string, string>> {
    const access = c.type === 'ec2' ? ec2Access(c.blob) : undefined;
    return { ...MANAGED, [L.kind]: 'credential', [L.userId]: c.userId, ...(access ? { [ACCESS]: await accessLabel(access) } : {}) };
  }

  async create(c: Omit<CredentialRecord, 'id' | 'object'>): Promise<CredentialRecord> {
    const access = c.type === 'ec2' ? ec2Access(c.blob) : undefined;
    if (access && (await this.byAccess(c.userId, access))) throw conflict(`Conflict occurred attempting to store credential - Duplicate entry found with access ${access}.`);
    const obj = await this.col.kube.create<KubeSecret>(R.secrets, {
      metadata: {
        generateName: 'credential-',
        namespace: SYSTEM_NS,
        labels: await this.labels(c),
        annotations: { [TYPE]: c.type, ...(c.projectId ? { [A.projectId]: c.projectId } : {}) },
      },
      type: 'Opaque',
      data: { blob: encode(c.blob) },
    });
    this.col.remember(obj);
    return toCredential(obj);
  }

  async update(cur: CredentialRecord, next: Omit<CredentialRecord, 'id' | 'object'>): Promise<CredentialRecord> {
    const obj = await this.col.kube.patch<KubeSecret>(
      R.secrets,
      cur.object,
      {
        metadata: {
          labels: { [ACCESS]: null, ...(await this.labels(next)) },
          annotations: { [TYPE]: next.type, [A.projectId]: next.projectId },
        },
        data: { blob: encode(next.blob) },
      },
      { namespace: SYSTEM_NS, type: 'merge' },
    );
    return toCredential(obj);
  }

  async delete(c: CredentialRecord): Promise<void> {
    try {
      await this.col.kube.delete(R.secrets, c.object, { namespace: SYSTEM_NS });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    this.col.forget(c.id);
  }
}
