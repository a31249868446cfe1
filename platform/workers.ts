// Cloudflare Workers entry point (module worker; wrangler.toml at the repository root).
// Configuration comes from bindings: DICOT_CONFIG (JSON, a var) and one secret per region
// holding its Kubernetes token, DICOT_TOKEN_<REGION> (upper-case, "-" as "_").
// At the edge a cluster's API must present a publicly trusted certificate (no custom CA
// trust in Workers) and be reachable from Cloudflare: see the README's deployment notes.
import { createGateway } from '../src/app.ts';
import { type Config, ConfigError, parseConfig } from '../src/config/index.ts';
import { type KubeConnection, type Platform, jsonLogger } from '../src/platform.ts';
import { EDGE_ASSETS } from './console-assets-edge.js';
import { tokenBindingName } from './workers-bindings.ts';
import { acceptEdgeWebSocket, connectEdgeWebSocket } from './websocket-workers.ts';

type Env = Record<string, unknown>;

export { tokenBindingName };

export function workersPlatform(config: Config, env: Env): Platform {
  const kube: Record<string, KubeConnection> = {};
  for (const region of config.regions) {
    const k = region.kubernetes;
    if (!k?.server) throw new ConfigError([`regions.${region.name}.kubernetes.server: required on Workers (kubeconfig files and in-cluster credentials do not exist at the edge)`]);
    const token = k.token ?? (env[tokenBindingName(region.name)] as string | undefined);
    if (!token) throw new ConfigError([`${tokenBindingName(region.name)}: missing (fix: wrangler secret put ${tokenBindingName(region.name)})`]);
    kube[region.name] = { server: k.server, fetch: (input, init) => fetch(input, init), token: () => token, websocket: connectEdgeWebSocket };
  }
  return {
    kube,
    log: jsonLogger((t) => console.log(t.trimEnd())),
    now: Date.now,
    acceptWebSocket: acceptEdgeWebSocket,
    // The console pages' libraries travel inside the bundle (no file system at the edge).
    consoleAsset: async (path) => EDGE_ASSETS[path],
  };
}

type Handler = { fetch: (req: Request, env: Env) => Response | Promise<Response> };

function build(env: Env): Handler {
  try {
    const raw = typeof env.DICOT_CONFIG === 'string' ? JSON.parse(env.DICOT_CONFIG) : env.DICOT_CONFIG;
    const config = parseConfig(raw);
    if (config.sandbox) {
      throw new ConfigError(['DICOT_CONFIG.regions: at least one region is required on Workers (the embedded sandbox runs on Node)']);
    }
    return createGateway(config, workersPlatform(config, env));
  } catch (err) {
    // A Worker cannot exit: answer every request with the configuration error instead.
    const message = err instanceof Error ? err.message : String(err);
    console.error(`dicot: ${message}`);
    return {
      fetch: () =>
        Response.json({ error: { code: 503, title: 'Service Unavailable', message: `dicot: ${message}` } }, { status: 503 }),
    };
  }
}

let app: Handler | undefined;

export default {
  fetch(req: Request, env: Env) {
    app ??= build(env);
    return app.fetch(req, env);
  },
};
