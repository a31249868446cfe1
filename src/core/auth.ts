import type { Context, MiddlewareHandler } from 'hono';
import { kubeGroupName, kubeUserName } from '../identity/model.ts';
import { ensureProjectOnce } from '../identity/regions.ts';
import { type Identity, identityOf } from '../identity/service.ts';
import { type TokenClaims, verifyToken } from '../identity/tokens.ts';
import type { KubeClient } from '../kube/index.ts';
import type { GatewayEnv, Region } from './context.ts';
import { unauthorized } from './faults.ts';

// X-Auth-Token → verified, unrevoked token → the caller's auth context. Regional services
// and the identity API share it; a missing or bad token is a 401 in the caller's format.

export interface AuthContext {
  token: string;
  claims: TokenClaims;
  userId: string;
  projectId: string | undefined;
  domainId: string | undefined;
  system: boolean;
  /** Role names in the token (implied roles included). */
  roles: string[];
  /** An admin role in the token: a cloud admin, as in Keystone's default policy. */
  isAdmin: boolean;
  /** Kubernetes client of the current region (or the identity region) acting as the user. */
  kube: KubeClient;
}

/** The region's gateway client impersonating the token's user and groups. */
export function userKube(region: Region, auth: Pick<AuthContext, 'userId' | 'claims'>): KubeClient {
  return region.kube.as(kubeUserName(auth.userId), [...auth.claims.groups.map(kubeGroupName), 'system:authenticated']);
}

/** The current request's impersonating client (for handlers). */
export function kubeFor(c: Context<GatewayEnv>): KubeClient {
  const auth = c.get('auth');
  if (!auth) throw unauthorized();
  return auth.kube;
}

/** Claims of a valid, unrevoked token, or undefined. */
export async function checkToken(id: Identity, token: string | undefined): Promise<TokenClaims | undefined> {
  if (!token) return undefined;
  const claims = await verifyToken(id.keys, token, id.now());
  if (!claims || (await id.revocations.check(claims))) return undefined;
  return claims;
}

export function authContext(region: Region, token: string, claims: TokenClaims): AuthContext {
  const roles = claims.roles.map((r) => r.name);
  const ctx = {
    token,
    claims,
    userId: claims.sub,
    projectId: claims.project?.id,
    domainId: claims.domain?.id,
    system: claims.system === true,
    roles,
    isAdmin: roles.includes('admin'),
  };
  return { ...ctx, kube: userKube(region, ctx) };
}

/**
 * Requires a valid token. In a regional service it also makes sure the token's project has
 * its namespace and role bindings in that region before the handler runs.
 */
export function requireAuth(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const gateway = c.get('gateway');
    const id = identityOf(gateway);
    const token = c.req.header('x-auth-token');
    const claims = await checkToken(id, token);
    if (token) gateway.platform.metrics?.tokenValidation(claims ? 'valid' : 'invalid');
    if (!claims || !token) throw unauthorized();
    const region = c.get('region') ?? gateway.identityRegion;
    const auth = authContext(region, token, claims);
    c.set('auth', auth);
    c.set('userId', auth.userId);
    c.set('projectId', auth.projectId);
    if (auth.projectId && region !== gateway.identityRegion) {
      const project = await id.projects.get(auth.projectId);
      if (!project?.enabled) throw unauthorized();
      await ensureProjectOnce(id, region, project);
    }
    await next();
  };
}
