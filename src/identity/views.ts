import type { Assignment } from './assignments.ts';
import type { AppCredRecord, DomainRecord, GroupRecord, ProjectRecord, RoleRecord, UserRecord } from './model.ts';
import type { CredentialRecord } from './credentials.ts';
import type { TokenClaims } from './tokens.ts';
import type { PolicyRecord } from './policies.ts';

// Keystone views of identity records (pure). `v3` is `<base>/identity/v3`.

const self = (v3: string, path: string) => ({ self: `${v3}/${path}` });

export function projectView(v3: string, p: ProjectRecord) {
  return {
    ...p.extra,
    id: p.id,
    name: p.name,
    description: p.description,
    domain_id: p.domainId,
    enabled: p.enabled,
    is_domain: false,
    parent_id: p.domainId,
    tags: p.tags,
    options: {},
    links: self(v3, `projects/${p.id}`),
  };
}

export function domainView(v3: string, d: DomainRecord) {
  return { id: d.id, name: d.name, description: d.description, enabled: d.enabled, tags: [], options: {}, links: self(v3, `domains/${d.id}`) };
}

export function userView(v3: string, u: UserRecord) {
  return {
    ...u.extra,
    id: u.id,
    name: u.name,
    domain_id: u.domainId,
    enabled: u.enabled,
    ...(u.email !== undefined ? { email: u.email } : {}),
    ...(u.description !== undefined ? { description: u.description } : {}),
    ...(u.defaultProjectId !== undefined ? { default_project_id: u.defaultProjectId } : {}),
    password_expires_at: null,
    options: {},
    links: self(v3, `users/${u.id}`),
  };
}

export function groupView(v3: string, g: GroupRecord) {
  return { id: g.id, name: g.name, domain_id: g.domainId, description: g.description, links: self(v3, `groups/${g.id}`) };
}

export function roleView(v3: string, r: RoleRecord) {
  return { id: r.id, name: r.name, domain_id: null, description: r.description ?? null, options: {}, links: self(v3, `roles/${r.id}`) };
}

export function appCredView(v3: string, a: AppCredRecord, secret?: string) {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    user_id: a.userId,
    project_id: a.projectId,
    roles: a.roles.map((r) => ({ id: r.id, name: r.name, domain_id: null })),
    unrestricted: a.unrestricted,
    expires_at: a.expiresAt,
    access_rules: [],
    ...(secret !== undefined ? { secret } : {}),
    links: self(v3, `users/${a.userId}/application_credentials/${a.id}`),
  };
}

export interface Names {
  user(id: string): { id: string; name?: string; domain?: { id: string; name?: string } };
  group(id: string): { id: string; name?: string; domain?: { id: string; name?: string } };
  project(id: string): { id: string; name?: string; domain?: { id: string; name?: string } };
  domain(id: string): { id: string; name?: string };
}

export function assignmentView(v3: string, a: Assignment, names?: Names) {
  const actorPath = a.viaGroup ? `groups/${a.viaGroup}` : `${a.actor.type}s/${a.actor.id}`;
  // An inherited assignment (or a project's share of one) links to the OS-INHERIT grant.
  const grantScope = a.inheritedFrom ? `domains/${a.inheritedFrom}` : 'projectId' in a.scope ? `projects/${a.scope.projectId}` : `domains/${a.scope.domainId}`;
  const grant = a.inherited || a.inheritedFrom ? `${v3}/OS-INHERIT/${grantScope}/${actorPath}/roles/${a.role.id}/inherited_to_projects` : `${v3}/${grantScope}/${actorPath}/roles/${a.role.id}`;
  const scope = {
    ...('projectId' in a.scope
      ? { project: names ? names.project(a.scope.projectId) : { id: a.scope.projectId } }
      : { domain: names ? names.domain(a.scope.domainId) : { id: a.scope.domainId } }),
    ...(a.inherited ? { 'OS-INHERIT:inherited_to': 'projects' } : {}),
  };
  const actor =
    a.actor.type === 'user'
      ? { user: names ? names.user(a.actor.id) : { id: a.actor.id } }
      : { group: names ? names.group(a.actor.id) : { id: a.actor.id } };
  return {
    role: names ? { id: a.role.id, name: a.role.name } : { id: a.role.id },
    scope,
    ...actor,
    links: {
      assignment: grant,
      ...(a.viaGroup ? { membership: `${v3}/groups/${a.viaGroup}/users/${a.actor.id}` } : {}),
    },
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '.000000Z');
const isoMs = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}000Z`;

/** The `token` object of POST/GET /v3/auth/tokens. */
export function tokenBody(claims: TokenClaims, catalog?: unknown[]) {
  return {
    methods: claims.methods,
    audit_ids: claims.parent ? [claims.jti, claims.parent] : [claims.jti],
    expires_at: iso(claims.exp),
    issued_at: isoMs(claims.ims),
    user: { id: claims.sub, name: claims.user.name, domain: claims.user.domain, password_expires_at: null },
    ...(claims.project ? { project: claims.project, is_domain: false } : {}),
    ...(claims.domain ? { domain: claims.domain } : {}),
    ...(claims.system ? { system: { all: true } } : {}),
    ...(claims.project || claims.domain || claims.system ? { roles: claims.roles } : {}),
    ...(claims.appcred ? { application_credential: claims.appcred } : {}),
    ...(catalog ? { catalog } : {}),
  };
}

/**
 * Application-credential expiry as Keystone echoes it: naive UTC ISO 8601 with the
 * microseconds given (Python's isoformat), e.g. "2026-11-22T03:19:52.666364".
 * Undefined when the text is not a date.
 */
export function normalizeExpiry(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const [, date, hh, mm, ss = '00', frac = '', zone = 'Z'] = m;
  const base = Date.parse(`${date}T${hh}:${mm}:${ss}${zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (Number.isNaN(base)) return undefined;
  const utc = new Date(base).toISOString().slice(0, 19);
  const micros = frac.padEnd(6, '0');
  return /^0+$/.test(micros) ? utc : `${utc}.${micros}`;
}

/** A stored policy: the client's extra attributes, then Keystone's own fields. */
export function policyView(v3: string, p: PolicyRecord) {
  return { ...p.extra, id: p.id, type: p.type, blob: p.blob, links: self(v3, `policies/${p.id}`) };
}

export function credentialView(v3: string, c: CredentialRecord) {
  return { id: c.id, user_id: c.userId, project_id: c.projectId, type: c.type, blob: c.blob, links: self(v3, `credentials/${c.id}`) };
}

export function ec2View(v3: string, c: CredentialRecord) {
  let blob: { access?: string; secret?: string; trust_id?: string | null } = {};
  try {
    blob = JSON.parse(c.blob);
  } catch {
    // an ec2 credential written through /v3/credentials with a blob that is not JSON
  }
  return {
    user_id: c.userId,
    tenant_id: c.projectId,
    access: blob.access ?? '',
    secret: blob.secret ?? '',
    trust_id: blob.trust_id ?? null,
    links: self(v3, `users/${c.userId}/credentials/OS-EC2/${blob.access ?? ''}`),
  };
}
