import { requireAuth } from '../../src/core/auth.ts';
import { appCredRoutes } from './app-creds.ts';
import { credentialRoutes } from './credentials.ts';
import { catalogRoutes } from './catalog.ts';
import { router } from './common.ts';
import { domainRoutes } from './domains.ts';
import { groupRoutes } from './groups.ts';
import { inheritedRoleRoutes } from './inherit.ts';
import { policyRoutes } from './policies.ts';
import { projectRoutes } from './projects.ts';
import { roleRoutes } from './roles.ts';
import { tokenRoutes } from './tokens.ts';
import { userRoutes } from './users.ts';
import { identityVersions } from './versions.ts';

// Keystone v3, mounted at /identity. Version documents and POST /v3/auth/tokens are open;
// everything else needs X-Auth-Token.

const open = (method: string, path: string) =>
  /^\/identity(\/v3)?\/?$/.test(path) || (method === 'POST' && /^\/identity\/v3\/auth\/tokens\/?$/.test(path));

const authed = requireAuth();

export const identityRoutes = router();
identityRoutes.use('/v3/*', async (c, next) => (open(c.req.method, c.req.path) ? next() : authed(c, next)));
identityRoutes.route('/', identityVersions);
for (const r of [tokenRoutes, projectRoutes, userRoutes, groupRoutes, roleRoutes, inheritedRoleRoutes, domainRoutes, appCredRoutes, credentialRoutes, policyRoutes, catalogRoutes]) {
  identityRoutes.route('/', r);
}
