import { ApiFault, badRequest, forbidden, notFound, unauthorized } from '../core/faults.ts';
import { withImplied } from './assignments.ts';
import type { DomainRecord, ProjectRecord, RoleRecord, UserRecord } from './model.ts';
import { verifySecret } from './passwords.ts';
import type { Identity } from './service.ts';
import { type TokenClaims, type TokenInput, verifyToken } from './tokens.ts';

// POST /v3/auth/tokens: who is asking (password, token, application credential), for which
// scope, with which roles. Every authentication failure is the same 401, so a caller never
// learns whether a user exists, is disabled or locked out.

export interface NameOrId {
  id?: string | undefined;
  name?: string | undefined;
  domain?: { id?: string | undefined; name?: string | undefined } | undefined;
}

export interface AuthRequest {
  methods: string[];
  password?: { user: NameOrId & { password: string } } | undefined;
  token?: { id: string } | undefined;
  applicationCredential?: { id?: string | undefined; name?: string | undefined; secret: string; user?: NameOrId | undefined } | undefined;
  scope?:
    | { project?: NameOrId | undefined; domain?: { id?: string | undefined; name?: string | undefined } | undefined; system?: { all?: boolean | undefined } | undefined }
    | 'unscoped'
    | undefined;
}

const denied = () => unauthorized('The request you have made requires authentication.');
/** A hash to spend the same time on as a real check when the user does not exist. */
const DUMMY_HASH = 'scrypt$32768$8$3$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

async function findDomain(id: Identity, ref: { id?: string | undefined; name?: string | undefined } | undefined): Promise<DomainRecord | undefined> {
  if (!ref) return undefined;
  if (ref.id) return id.domains.get(ref.id);
  if (ref.name) return id.domains.findByName(ref.name);
  return undefined;
}

async function findUser(id: Identity, ref: NameOrId): Promise<UserRecord | undefined> {
  if (ref.id) return id.users.get(ref.id);
  if (!ref.name) throw badRequest('Expecting to find id or name in user - the server could not comply with the request since it is either malformed or otherwise incorrect.');
  if (!ref.domain || (!ref.domain.id && !ref.domain.name)) throw badRequest('Expecting to find domain in user.');
  const domain = await findDomain(id, ref.domain);
  return domain ? id.users.findByName(ref.name, domain.id) : undefined;
}

function lockedOut(id: Identity, user: UserRecord, now: number): boolean {
  const { lockoutFailureAttempts: max, lockoutDurationSeconds: secs } = id.options;
  return max > 0 && user.failedLogins >= max && now - user.lastFailure < secs * 1000;
}

async function checkPassword(id: Identity, ref: NameOrId & { password: string }): Promise<UserRecord> {
  if (typeof ref.password !== 'string') throw badRequest('Expecting to find password in user.');
  const user = await findUser(id, ref);
  const now = id.now();
  if (!user?.passwordHash) {
    await verifySecret(ref.password, DUMMY_HASH);
    throw denied();
  }
  if (lockedOut(id, user, now)) throw denied();
  if (!(await verifySecret(ref.password, user.passwordHash))) {
    // A lock that has run out starts a fresh count.
    const { lockoutFailureAttempts: max } = id.options;
    const expired = max > 0 && user.failedLogins >= max;
    if (max > 0) await id.users.recordFailure(expired ? { ...user, failedLogins: 0 } : user, now);
    throw denied();
  }
  if (user.failedLogins > 0) await id.users.clearFailures(user);
  return user;
}

async function activeUser(id: Identity, user: UserRecord | undefined): Promise<UserRecord> {
  if (!user?.enabled) throw denied();
  const domain = await id.domains.get(user.domainId);
  if (!domain?.enabled) throw denied();
  return user;
}

/** A token presented for rescoping or validation: 404 when unusable, as Keystone answers. */
export async function validClaims(id: Identity, token: string): Promise<TokenClaims> {
  const claims = await verifyToken(id.keys, token, id.now());
  if (!claims || (await id.revocations.check(claims))) throw notFound('Could not find token.');
  return claims;
}

export interface Subject {
  user: UserRecord;
  userDomain: DomainRecord;
  methods: string[];
  /** Expiry forced by the source (a rescoped token keeps its parent's). */
  expiresAt?: number;
  parent?: string;
  appcred?: TokenClaims['appcred'];
  /** Role subset of an application credential, and its project. */
  appcredRoles?: { id: string; name: string }[];
  appcredProject?: string;
}

async function identify(id: Identity, req: AuthRequest): Promise<Subject> {
  const methods = req.methods;
  if (!Array.isArray(methods) || methods.length === 0) throw badRequest('Expecting to find methods in identity.');
  const method = methods[0];
  let subject: Omit<Subject, 'userDomain'>;
  if (method === 'password') {
    if (!req.password?.user) throw badRequest('Expecting to find user in password.');
    subject = { user: await checkPassword(id, req.password.user), methods: ['password'] };
  } else if (method === 'token') {
    if (!req.token?.id) throw badRequest('Expecting to find id in token.');
    const claims = await validClaims(id, req.token.id);
    // Application-credential tokens cannot be turned into broader tokens.
    if (claims.appcred) throw forbidden('You cannot use an application credential token to create another token.');
    const user = await id.users.get(claims.sub);
    subject = {
      user: user as UserRecord,
      methods: [...new Set(['token', ...claims.methods])],
      expiresAt: claims.exp,
      parent: claims.jti,
    };
  } else if (method === 'application_credential') {
    subject = await checkAppCred(id, req);
  } else {
    throw unauthorized(`Attempted to authenticate with an unsupported method.`);
  }
  const user = await activeUser(id, subject.user);
  const userDomain = (await id.domains.get(user.domainId)) as DomainRecord;
  return { ...subject, user, userDomain };
}

async function checkAppCred(id: Identity, req: AuthRequest): Promise<Omit<Subject, 'userDomain'>> {
  const ac = req.applicationCredential;
  if (!ac || typeof ac.secret !== 'string') throw badRequest('Expecting to find secret in application_credential.');
  if (req.scope && req.scope !== 'unscoped') throw unauthorized('Application credentials cannot request a scope.');
  let record = ac.id ? await id.appCreds.get(ac.id) : undefined;
  if (!ac.id) {
    if (!ac.name || !ac.user) throw badRequest('Expecting to find id or name and user in application_credential.');
    const user = await findUser(id, ac.user);
    record = user ? (await id.appCreds.list(user.id)).find((a) => a.name === ac.name) : undefined;
  }
  if (!record) {
    await verifySecret(ac.secret, DUMMY_HASH);
    throw denied();
  }
  if (!(await verifySecret(ac.secret, record.secretHash))) throw denied();
  if (record.expiresAt && Date.parse(`${record.expiresAt.replace(/Z$/, '')}Z`) <= id.now()) throw denied();
  const user = await id.users.get(record.userId);
  return {
    user: user as UserRecord,
    methods: ['application_credential'],
    appcred: { id: record.id, name: record.name, restricted: !record.unrestricted },
    appcredRoles: record.roles,
    appcredProject: record.projectId,
  };
}

async function findProject(id: Identity, ref: NameOrId): Promise<ProjectRecord | undefined> {
  if (ref.id) return id.projects.get(ref.id);
  if (!ref.name) throw badRequest('Expecting to find id or name in project.');
  if (!ref.domain || (!ref.domain.id && !ref.domain.name)) throw badRequest('Expecting to find domain in project.');
  const domain = await findDomain(id, ref.domain);
  return domain ? id.projects.findByName(ref.name, domain.id) : undefined;
}

async function projectScope(id: Identity, s: Subject, project: ProjectRecord | undefined): Promise<Pick<TokenInput, 'project' | 'roles'>> {
  if (!project?.enabled) throw unauthorized('Project is disabled or does not exist.');
  const domain = await id.domains.get(project.domainId);
  if (!domain?.enabled) throw unauthorized('Project is disabled or does not exist.');
  let roles: RoleRecord[] | { id: string; name: string }[] = await id.assignments.rolesOnProject(project, s.user.id, s.user.groups);
  if (s.appcredRoles) {
    // An application credential keeps only the roles it was given that the user still has.
    const held = new Set(roles.map((r) => r.id));
    roles = s.appcredRoles.filter((r) => held.has(r.id));
  }
  if (roles.length === 0) throw unauthorized(`User ${s.user.id} has no access to project ${project.id}.`);
  return {
    project: { id: project.id, name: project.name, domain: { id: domain.id, name: domain.name } },
    roles: roles.map((r) => ({ id: r.id, name: r.name })),
  };
}

/** Authenticates and resolves scope: the claims of the token to issue (not yet signed). */
export async function authenticate(id: Identity, req: AuthRequest): Promise<TokenInput> {
  const s = await identify(id, req);
  const now = id.now();
  const exp = Math.min(s.expiresAt ?? Number.POSITIVE_INFINITY, Math.floor(now / 1000) + id.lifetimeSeconds);
  const base: TokenInput = {
    sub: s.user.id,
    exp,
    methods: s.methods,
    user: { name: s.user.name, domain: { id: s.userDomain.id, name: s.userDomain.name } },
    roles: [],
    groups: s.user.groups,
    ...(s.parent ? { parent: s.parent } : {}),
    ...(s.appcred ? { appcred: s.appcred } : {}),
  };
  if (s.appcredProject !== undefined) return { ...base, ...(await projectScope(id, s, await id.projects.get(s.appcredProject))) };

  const scope = req.scope;
  if (scope && scope !== 'unscoped' && typeof scope === 'object') {
    const set = [scope.project, scope.domain, scope.system].filter(Boolean).length;
    if (set > 1) throw badRequest('Specify either a project, a domain or the system as the scope, not several.');
    if (scope.project) return { ...base, ...(await projectScope(id, s, await findProject(id, scope.project))) };
    if (scope.domain) {
      const domain = await findDomain(id, scope.domain);
      if (!domain?.enabled) throw unauthorized('Domain is disabled or does not exist.');
      const roles = await id.assignments.rolesOnDomain(domain.id, s.user.id, s.user.groups);
      if (roles.length === 0) throw unauthorized(`User ${s.user.id} has no access to domain ${domain.id}.`);
      return { ...base, domain: { id: domain.id, name: domain.name }, roles: roles.map((r) => ({ id: r.id, name: r.name })) };
    }
    if (scope.system) {
      if (!(await id.assignments.isCloudAdmin(s.user.id, s.user.groups))) throw unauthorized(`User ${s.user.id} has no access to the system.`);
      const all = await id.roles.list();
      const admin = all.filter((r) => r.name === 'admin');
      return { ...base, system: true, roles: withImplied(admin, all).map((r) => ({ id: r.id, name: r.name })) };
    }
  }
  // No scope asked for: the default project when the user may use it, otherwise unscoped.
  if (scope === undefined && s.user.defaultProjectId) {
    const project = await id.projects.get(s.user.defaultProjectId);
    if (project?.enabled) {
      try {
        return { ...base, ...(await projectScope(id, s, project)) };
      } catch (err) {
        if (!(err instanceof ApiFault)) throw err;
      }
    }
  }
  return base;
}
