import { MANAGED, SYSTEM_NS } from '../identity/model.ts';
import { AlreadyExistsError, type KubeClient, NotFoundError, R } from '../kube/index.ts';

// The token guarding an image's VirtualMachineExport lives in a Secret next to the export,
// in the image's namespace. The gateway may create Secrets there but not read them (it reads
// Secrets only in dicot-system), so the token is derived, not read back: an HMAC of the
// export's place under one key kept in dicot-system of the identity region. Every replica
// derives the same token; the first to need the key creates it (create-or-get).

export const EXPORT_KEY_SECRET = 'dicot-export-key';

const keys = new WeakMap<KubeClient, Promise<CryptoKey>>();

async function readOrCreate(kube: KubeClient): Promise<Uint8Array<ArrayBuffer>> {
  try {
    const s = await kube.get<{ data?: { key?: string } }>(R.secrets, EXPORT_KEY_SECRET, { namespace: SYSTEM_NS });
    const raw = atob(s.data?.key ?? '');
    if (raw.length < 32) throw new Error(`Secret ${SYSTEM_NS}/${EXPORT_KEY_SECRET} holds no usable key`);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const key = crypto.getRandomValues(new Uint8Array(32));
  try {
    await kube.create(R.secrets, {
      metadata: { name: EXPORT_KEY_SECRET, namespace: SYSTEM_NS, labels: { ...MANAGED } },
      type: 'Opaque',
      data: { key: btoa(String.fromCharCode(...key)) },
    } as never);
    return key;
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    return readOrCreate(kube); // another replica won the race: use its key
  }
}

function hmacKey(kube: KubeClient): Promise<CryptoKey> {
  let p = keys.get(kube);
  if (!p) {
    p = readOrCreate(kube).then((raw) => crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    p.catch(() => keys.delete(kube));
    keys.set(kube, p);
  }
  return p;
}

/** The export token for `place` (namespace, export name, image uid), as hex; `kube` is the identity region's gateway client. */
export async function exportToken(kube: KubeClient, place: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(kube), new TextEncoder().encode(place));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
