import { type CryptoKey, type JWK, exportJWK, generateKeyPair, importJWK } from 'jose';
import * as v from 'valibot';
import { AlreadyExistsError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { MANAGED, SYSTEM_NS, encode } from './model.ts';

// Token signing keys (ES256) in the Secret `dicot-token-keys`. The first replica to need
// one creates it; the others read it back (create-or-get), so every replica signs with the
// same key. Rotation = append a newer key; old public keys stay until their tokens expire.

export const KEYS_SECRET = 'dicot-token-keys';
const CACHE_MS = 60_000;

const StoredKey = v.object({ kid: v.string(), created: v.number(), private: v.record(v.string(), v.unknown()), public: v.record(v.string(), v.unknown()) });
const StoredKeys = v.array(StoredKey);
type StoredKey = v.InferOutput<typeof StoredKey>;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

interface Loaded {
  at: number;
  signing: SigningKey;
  verify: Map<string, CryptoKey>;
}

async function newKey(now: number): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    kid: crypto.randomUUID().replace(/-/g, '').slice(0, 16),
    created: now,
    private: (await exportJWK(privateKey)) as Record<string, unknown>,
    public: (await exportJWK(publicKey)) as Record<string, unknown>,
  };
}

function parseSecret(secret: { data?: Record<string, string> }): StoredKey[] {
  const raw = secret.data?.keys;
  if (!raw) return [];
  try {
    const r = v.safeParse(StoredKeys, JSON.parse(atob(raw)));
    return r.success ? r.output : [];
  } catch {
    return [];
  }
}

export class KeyRing {
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;

  constructor(
    private readonly kube: KubeClient,
    private readonly now: () => number,
  ) {}

  private async read(): Promise<StoredKey[]> {
    try {
      const secret = await this.kube.get<{ data?: Record<string, string> }>(R.secrets, KEYS_SECRET, { namespace: SYSTEM_NS });
      const keys = parseSecret(secret);
      if (keys.length) return keys;
      throw new Error(`Secret ${SYSTEM_NS}/${KEYS_SECRET} holds no usable keys`);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    const keys = [await newKey(this.now())];
    try {
      await this.kube.create(R.secrets, {
        metadata: { name: KEYS_SECRET, namespace: SYSTEM_NS, labels: { ...MANAGED } },
        type: 'Opaque',
        data: { keys: encode(JSON.stringify(keys)) },
      } as never);
      return keys;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      // Another replica won the race: use its key.
      return this.read();
    }
  }

  private async load(): Promise<Loaded> {
    const stored = await this.read();
    const newest = stored.reduce((a, b) => (b.created > a.created ? b : a));
    const verify = new Map<string, CryptoKey>();
    for (const k of stored) verify.set(k.kid, (await importJWK(k.public as JWK, 'ES256')) as CryptoKey);
    const privateKey = (await importJWK(newest.private as JWK, 'ES256')) as CryptoKey;
    return { at: this.now(), signing: { kid: newest.kid, privateKey }, verify };
  }

  private async current(force = false): Promise<Loaded> {
    if (!force && this.loaded && this.now() - this.loaded.at < CACHE_MS) return this.loaded;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    this.loaded = await this.loading;
    return this.loaded;
  }

  async signingKey(): Promise<SigningKey> {
    return (await this.current()).signing;
  }

  /** The public key for `kid`; an unknown kid re-reads the Secret once (another replica rotated). */
  async verifyKey(kid: string | undefined): Promise<CryptoKey | undefined> {
    if (!kid) return undefined;
    const cur = await this.current();
    const key = cur.verify.get(kid);
    if (key) return key;
    if (this.now() - cur.at < 1000) return undefined;
    return (await this.current(true)).verify.get(kid);
  }
}
