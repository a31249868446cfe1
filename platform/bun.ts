// Bun entry point: `bun platform/bun.ts`. Needs a configured cluster (DICOT_CONFIG).
import { createGateway } from '../src/app.ts';
import type { Config } from '../src/config/index.ts';
import { exitOnConfigError, loadConfig } from './config-file.ts';
import type { TlsMaterial } from './kube-credentials.ts';
import { upgradeWebSocket, websocket } from 'hono/bun';
import { consoleAsset } from './console-assets.ts';
import { hasTls, serverPlatform } from './server.ts';
import { honoAcceptor, runtimeConnector } from './websocket-hono.ts';

declare const Bun: {
  serve(opts: { fetch: (req: Request, server: unknown) => Response | Promise<Response>; websocket: unknown; hostname: string; port: number }): {
    port: number;
    hostname: string;
    /** Stops listening; resolves once the requests in flight have been answered. */
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

/** Bun's fetch trusting a cluster CA: the `tls` option of its fetch. */
function bunFetch(tls: TlsMaterial): typeof fetch {
  if (!hasTls(tls)) return fetch;
  const tlsOpts = { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure };
  return ((input: string | URL | Request, init?: RequestInit) =>
    fetch(input, { ...init, tls: tlsOpts } as RequestInit)) as typeof fetch;
}

let config: Config;
try {
  config = loadConfig(process.env, process.argv.slice(2));
} catch (err) {
  exitOnConfigError(err, process.exit);
}
if (config.sandbox) {
  console.error('dicot: the Bun entry point needs a configured cluster (set DICOT_CONFIG); `npm start` runs the embedded sandbox on Node');
  process.exit(2);
}
/** Bun's outbound websocket trusting a cluster CA: the `tls` option of its WebSocket. */
const bunWebSocket = (tls: TlsMaterial) =>
  runtimeConnector(hasTls(tls) ? { tls: { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure } } : {});

const platform = await serverPlatform(config, bunFetch, undefined, undefined, bunWebSocket);
const app = createGateway(config, { ...platform, acceptWebSocket: honoAcceptor(upgradeWebSocket), consoleAsset });
const server = Bun.serve({ fetch: app.fetch, websocket, hostname: config.listen.hostname, port: config.listen.port });
console.error(`Dicot (Bun) is listening on http://${server.hostname}:${server.port}`);
process.once('SIGTERM', () => {
  server.stop(false).then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
