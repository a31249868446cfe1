import type { Gateway } from '../core/context.ts';
import { AlreadyExistsError, type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { Assignments } from './assignments.ts';
import { Credentials } from './credentials.ts';
import { AppCreds, Domains, Groups, Projects, Roles, Users } from './directory.ts';
import { KeyRing } from './keys.ts';
import { Policies } from './policies.ts';
import { MANAGED, SYSTEM_NS } from './model.ts';
import { type IdentityOptions, identityOptions } from './options.ts';
import { Revocations } from './revocations.ts';

// Everything identity needs, built once per gateway (caches live as long as the gateway).

export interface Identity {
  gateway: Gateway;
  kube: KubeClient;
  options: IdentityOptions;
  lifetimeSeconds: number;
  now(): number;
  keys: KeyRing;
  revocations: Revocations;
  domains: Domains;
  projects: Projects;
  users: Users;
  groups: Groups;
  roles: Roles;
  appCreds: AppCreds;
  credentials: Credentials;
  policies: Policies;
  assignments: Assignments;
  /** Creates `dicot-system` when missing (first write into it). */
  ensureSystemNamespace(): Promise<void>;
}

const cache = new WeakMap<Gateway, Identity>();

export function createIdentity(gateway: Gateway, kube: KubeClient, options: IdentityOptions): Identity {
  const now = () => gateway.platform.now();
  const lifetimeSeconds = gateway.config.tokens.lifetimeSeconds;
  const projects = new Projects(kube);
  const roles = new Roles(kube);
  const users = new Users(kube);
  let systemReady: Promise<void> | undefined;
  return {
    gateway,
    kube,
    options,
    lifetimeSeconds,
    now,
    keys: new KeyRing(kube, now),
    revocations: new Revocations(kube, now, options.revocationCacheSeconds * 1000, lifetimeSeconds),
    domains: new Domains(kube),
    projects,
    users,
    groups: new Groups(kube),
    roles,
    appCreds: new AppCreds(kube),
    credentials: new Credentials(kube),
    policies: new Policies(kube),
    assignments: new Assignments(kube, projects, roles, users),
    ensureSystemNamespace() {
      systemReady ??= ensureNamespace(kube, SYSTEM_NS).catch((err) => {
        systemReady = undefined;
        throw err;
      });
      return systemReady;
    },
  };
}

/** The identity services of this gateway (identity region, gateway credentials). */
export function identityOf(gateway: Gateway): Identity {
  let id = cache.get(gateway);
  if (!id) {
    id = createIdentity(gateway, gateway.identityRegion.kube, identityOptions(gateway.config));
    cache.set(gateway, id);
  }
  return id;
}

export async function ensureNamespace(kube: KubeClient, name: string): Promise<void> {
  try {
    await kube.get(R.namespaces, name);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    try {
      await kube.create(R.namespaces, { metadata: { name, labels: { ...MANAGED } } });
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  }
}
