import { OpenAPIHono } from '@hono/zod-openapi';
import { computeRoutes } from '../routes/compute/index.ts';
import { computeVersions } from '../routes/compute/versions.ts';
import { consoleRoutes } from '../routes/console/index.ts';
import { healthRoutes } from '../routes/health.ts';
import { identityRoutes } from '../routes/identity/index.ts';
import { imageRoutes } from '../routes/image/index.ts';
import { imageVersions } from '../routes/image/versions.ts';
import { networkRoutes } from '../routes/network/index.ts';
import { networkVersions } from '../routes/network/versions.ts';
import { volumeRoutes3 } from '../routes/volume/index.ts';
import { volumeVersions } from '../routes/volume/versions.ts';
import { COMPUTE_VERSIONS } from './compute/version.ts';
import type { Config } from './config/index.ts';
import { requireAuth } from './core/auth.ts';
import { requestBodyLimit } from './core/body-limit.ts';
import type { Gateway, GatewayEnv, Region } from './core/context.ts';
import { DOCS_PAGE } from './core/docs-page.ts';
import { onError } from './core/errors.ts';
import { badRequest } from './core/faults.ts';
import { meteredFetch } from './core/metrics.ts';
import { microversion } from './core/microversion.ts';
import { regionScope } from './core/region.ts';
import { requestContext } from './core/request.ts';
import { notFoundHandler } from './core/routing.ts';
import { createKubeClient } from './kube/index.ts';
import { VOLUME_VERSIONS } from './volume/version.ts';
import type { Platform } from './platform.ts';

export const VERSION = '0.1.0';

/** Unauthenticated version documents: the service root and its versioned root. */
function isVersionDocument(svc: string, path: string): boolean {
  const rest = path.split('/').slice(3).filter(Boolean);
  if (rest.length === 0) return true;
  const versions: Record<string, RegExp> = { compute: /^v2(\.1)?$/, image: /^(v2(\.\d+)?|versions)$/, network: /^v2\.0$/, volume: /^v3$/ };
  return rest.length === 1 && (versions[svc]?.test(rest[0] as string) ?? false);
}

/** Validation failures of any zod-openapi route become a 400 in the service's format. */
const defaultHook = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => {
  if (!result.success) {
    const issue = result.error?.issues[0];
    const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    throw badRequest(`Invalid input for field/attribute ${where}${issue?.message ?? 'invalid request'}`);
  }
};

function buildGateway(config: Config, platform: Platform): Gateway {
  const regions = new Map<string, Region>();
  for (const r of config.regions) {
    const conn = platform.kube[r.name];
    if (!conn) throw new Error(`platform has no Kubernetes connection for region ${r.name}`);
    regions.set(r.name, {
      name: r.name,
      kube: createKubeClient({
        server: conn.server,
        fetch: platform.metrics ? meteredFetch(conn.fetch, platform.metrics) : conn.fetch,
        token: conn.token,
        userAgent: `dicot/${VERSION}`,
      }),
    });
  }
  return { config, platform, regions, identityRegion: regions.get(config.identityRegion) as Region };
}

/** The gateway: a Hono app that is a pure fetch handler, the same on every runtime. */
export function createGateway(config: Config, platform: Platform) {
  const gateway = buildGateway(config, platform);
  const app = new OpenAPIHono<GatewayEnv>({ strict: false, defaultHook });

  app.use('*', async (c, next) => {
    c.set('gateway', gateway);
    await next();
  });
  app.use('*', requestContext());
  app.use('*', requestBodyLimit(config.maxBodyBytes));

  app.route('/', healthRoutes);
  app.route('/identity', identityRoutes);

  const authed = requireAuth();
  for (const svc of ['compute', 'image', 'network', 'volume']) {
    app.use(`/:region/${svc}`, regionScope());
    app.use(`/:region/${svc}/*`, regionScope());
    // Everything but the version documents (which clients fetch without a token) needs one.
    app.use(`/:region/${svc}/*`, async (c, next) => (isVersionDocument(svc, c.req.path) ? next() : authed(c, next)));
  }
  // Microversions cover everything under the versioned roots, version documents included.
  for (const path of ['/:region/compute/v2.1', '/:region/compute/v2.1/*']) app.use(path, microversion(COMPUTE_VERSIONS));
  for (const path of ['/:region/volume/v3', '/:region/volume/v3/*']) app.use(path, microversion(VOLUME_VERSIONS));
  app.route('/:region/compute', computeVersions);
  app.route('/:region/compute/v2.1', computeRoutes);
  app.route('/:region/image', imageVersions);
  app.route('/:region/image/v2', imageRoutes);
  app.route('/:region/network', networkVersions);
  app.route('/:region/network/v2.0', networkRoutes);
  app.route('/:region/volume', volumeVersions);
  app.route('/:region/volume/v3', volumeRoutes3);

  // Consoles: pages and the websocket proxy; their credential is the console token in the URL.
  app.use('/:region/console/*', regionScope());
  app.route('/:region/console', consoleRoutes);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Dicot',
      version: VERSION,
      description: 'OpenStack-compatible API (Keystone v3, Nova v2.1, Glance v2, Neutron v2.0, Cinder v3) over Kubernetes + KubeVirt',
    },
  });
  app.get('/docs', (c) => c.html(DOCS_PAGE));

  app.notFound(notFoundHandler(app));
  app.onError(onError);
  return app;
}

export type GatewayApp = ReturnType<typeof createGateway>;
