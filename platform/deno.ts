// Deno entry point: `deno task start` (deno.json). Needs a configured cluster (DICOT_CONFIG).
import process from 'node:process';
import { createGateway } from '../src/app.ts';
import type { Config } from '../src/config/index.ts';
import { exitOnConfigError, loadConfig } from './config-file.ts';
import type { TlsMaterial } from './kube-credentials.ts';
import { upgradeWebSocket } from 'hono/deno';
import { consoleAsset } from './console-assets.ts';
import { hasTls, serverPlatform } from './server.ts';
import { honoAcceptor, runtimeConnector } from './websocket-hono.ts';

declare const Deno: {
  serve(
    opts: { hostname: string; port: number; onListen?: (addr: { hostname: string; port: number }) => void },
    handler: (req: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> };
  createHttpClient(opts: { caCerts?: string[]; cert?: string; key?: string }): unknown;
};

/** Deno's fetch trusting a cluster CA: a custom HTTP client. */
function denoFetch(tls: TlsMaterial): typeof fetch {
  if (!hasTls(tls)) return fetch;
  if (tls.insecure) console.error('dicot: insecureSkipTLSVerify is not supported on Deno; give the cluster CA instead');
  const client = Deno.createHttpClient({ caCerts: tls.ca ? [tls.ca] : undefined, cert: tls.cert, key: tls.key });
  return ((input: string | URL | Request, init?: RequestInit) =>
    fetch(input, { ...init, client } as RequestInit)) as typeof fetch;
}

let config: Config;
try {
  config = loadConfig(process.env, process.argv.slice(2));
} catch (err) {
  exitOnConfigError(err, process.exit);
}
if (config.sandbox) {
  console.error('dicot: the Deno entry point needs a configured cluster (set DICOT_CONFIG); `npm start` runs the embedded sandbox on Node');
  process.exit(2);
}
/** Deno's outbound websocket trusting a cluster CA: a custom HTTP client. */
const denoWebSocket = (tls: TlsMaterial) =>
  runtimeConnector(hasTls(tls) ? { client: Deno.createHttpClient({ caCerts: tls.ca ? [tls.ca] : undefined, cert: tls.cert, key: tls.key }) } : {});

const platform = await serverPlatform(config, denoFetch, undefined, undefined, denoWebSocket);
const app = createGateway(config, { ...platform, acceptWebSocket: honoAcceptor(upgradeWebSocket), consoleAsset });
const server = Deno.serve(
  {
    hostname: config.listen.hostname,
    port: config.listen.port,
    onListen: (a) => console.error(`Dicot (Deno) is listening on http://${a.hostname}:${a.port}`),
  },
  app.fetch,
);
process.once('SIGTERM', () => {
  server.shutdown().then(() => process.exit(0));
});
