import { AlreadyExistsError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { MANAGED, SYSTEM_NS } from './model.ts';
import type { TokenClaims } from './tokens.ts';

// Revocations live in the ConfigMap `dicot-revocations` (identity region) so every replica
// honours them: `a.<auditId>` = token expiry (s), `u.<userId>` / `p.<projectId>` = "tokens
// issued before this ms are void" (and `c.<appCredId>`, `s.<userId>.<project or domain id>` likewise). Each replica re-reads it at most every few seconds.
// Writes are JSON merge patches of single keys, so concurrent replicas never overwrite
// each other; entries are pruned once every token they could match has expired.

export const REVOCATIONS = 'dicot-revocations';

export type RevocationEntries = Record<string, string>;

/** Pure check of one token against the revocation entries. */
export function isRevoked(entries: RevocationEntries, claims: TokenClaims): boolean {
  if (entries[`a.${claims.jti}`] !== undefined) return true;
  const before = (key: string) => {
    const at = entries[key];
    return at !== undefined && claims.ims < Number(at);
  };
  const scope = claims.project?.id ?? claims.domain?.id;
  return (
    before(`u.${claims.sub}`) ||
    (scope ? before(`s.${claims.sub}.${scope}`) : false) ||
    (claims.project ? before(`p.${claims.project.id}`) : false) ||
    (claims.appcred ? before(`c.${claims.appcred.id}`) : false)
  );
}

/** Keys whose entries can no longer match any live token. */
export function expiredKeys(entries: RevocationEntries, nowMs: number, lifetimeSeconds: number): string[] {
  return Object.entries(entries)
    .filter(([k, val]) => {
      const n = Number(val);
      if (!Number.isFinite(n)) return true;
      return k.startsWith('a.') ? n * 1000 < nowMs : n + lifetimeSeconds * 1000 < nowMs;
    })
    .map(([k]) => k);
}

export class Revocations {
  private cached: { at: number; entries: RevocationEntries } | undefined;
  private loading: Promise<RevocationEntries> | undefined;

  constructor(
    private readonly kube: KubeClient,
    private readonly now: () => number,
    private readonly cacheMs: number,
    private readonly lifetimeSeconds: number,
  ) {}

  private async fetch(): Promise<RevocationEntries> {
    try {
      const cm = await this.kube.get<{ data?: Record<string, string> }>(R.configMaps, REVOCATIONS, { namespace: SYSTEM_NS });
      return cm.data ?? {};
    } catch (err) {
      if (err instanceof NotFoundError) return {};
      throw err;
    }
  }

  async entries(): Promise<RevocationEntries> {
    if (this.cached && this.now() - this.cached.at < this.cacheMs) return this.cached.entries;
    this.loading ??= this.fetch().finally(() => {
      this.loading = undefined;
    });
    const entries = await this.loading;
    this.cached = { at: this.now(), entries };
    return entries;
  }

  async check(claims: TokenClaims): Promise<boolean> {
    return isRevoked(await this.entries(), claims);
  }

  private async write(key: string, value: string): Promise<void> {
    const now = this.now();
    const current = this.cached?.entries ?? {};
    const prune = Object.fromEntries(expiredKeys(current, now, this.lifetimeSeconds).map((k) => [k, null]));
    const data = { ...prune, [key]: value };
    try {
      await this.kube.patch(R.configMaps, REVOCATIONS, { data }, { namespace: SYSTEM_NS, type: 'merge' });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      try {
        await this.kube.create(R.configMaps, {
          metadata: { name: REVOCATIONS, namespace: SYSTEM_NS, labels: { ...MANAGED } },
          data: { [key]: value },
        } as never);
      } catch (e) {
        if (!(e instanceof AlreadyExistsError)) throw e;
        await this.kube.patch(R.configMaps, REVOCATIONS, { data: { [key]: value } }, { namespace: SYSTEM_NS, type: 'merge' });
      }
    }
    // This replica sees its own revocation at once.
    const next = { ...current, [key]: value };
    for (const k of Object.keys(prune)) delete next[k];
    this.cached = { at: this.cached?.at ?? now, entries: next };
  }

  revokeToken(claims: TokenClaims): Promise<void> {
    return this.write(`a.${claims.jti}`, String(claims.exp));
  }

  /** Every token of this user issued until now (password change, disable, delete, role loss). */
  revokeUser(userId: string): Promise<void> {
    return this.write(`u.${userId}`, String(this.now() + 1));
  }

  /** The user's tokens scoped to one project or domain (a role there was taken away). */
  revokeUserOn(userId: string, scopeId: string): Promise<void> {
    return this.write(`s.${userId}.${scopeId}`, String(this.now() + 1));
  }

  /** Tokens made from a deleted application credential. */
  revokeAppCred(appCredId: string): Promise<void> {
    return this.write(`c.${appCredId}`, String(this.now() + 1));
  }

  revokeProject(projectId: string): Promise<void> {
    return this.write(`p.${projectId}`, String(this.now() + 1));
  }
}
