import { mkdirSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Agent, fetch as undiciFetch } from 'undici';
import { createGateway } from '../src/app.ts';
import type { Config } from '../src/config/index.ts';
import { exitOnConfigError, loadConfig } from './config-file.ts';
import type { TlsMaterial } from './kube-credentials.ts';
import { identityOptions } from '../src/identity/options.ts';
import { bootstrapSandbox } from './cli.ts';
import { startEmbeddedSandbox } from './sandbox-mode.ts';
import { consoleAsset } from './console-assets.ts';
import { hasTls, serverPlatform } from './server.ts';
import { nodeAcceptor, nodeConnector } from './websocket-node.ts';

// Node entry point: `npm start`. With no cluster configured it starts the embedded sandbox
// (served on its own port for kubectl) and points RegionOne at it.

/** Node's fetch trusting a cluster CA / presenting a client certificate: an undici dispatcher. */
export function nodeFetch(tls: TlsMaterial): typeof fetch {
  if (!hasTls(tls)) return fetch;
  const dispatcher = new Agent({
    connect: { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure },
  });
  return ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch;
}

export interface RunningNode {
  url: string;
  kubeUrl?: string;
  close(): Promise<void>;
  /** clouds.yaml written for the sandbox's users (sandbox mode only). */
  clouds?: string | undefined;
}

export interface StartOptions {
  /** Where the embedded sandbox keeps its state, kubeconfig and clouds.yaml. */
  stateDir?: string;
  /** Embedded sandbox timings: realistic for people, instant for test harnesses. */
  timing?: 'instant' | 'demo';
  /** Where JSON log lines go (default stdout). */
  log?: (text: string) => void;
}

export async function startNode(config: Config, opts: StartOptions = {}): Promise<RunningNode> {
  const stateDir = opts.stateDir ?? '.dicot';
  let sandbox: Awaited<ReturnType<typeof startEmbeddedSandbox>> | undefined;
  if (config.sandbox) {
    mkdirSync(stateDir, { recursive: true });
    sandbox = await startEmbeddedSandbox({ stateDir, timing: opts.timing ?? 'demo' });
  }
  const platform = await serverPlatform(
    config,
    nodeFetch,
    sandbox ? { [config.identityRegion]: sandbox.connection } : undefined,
    opts.log,
    nodeConnector,
  );
  const websockets = nodeAcceptor(() => app);
  const app = createGateway(config, { ...platform, acceptWebSocket: websockets.accept, consoleAsset });
  const { hostname, port } = config.listen;
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname, port }, () => resolve(s));
  });
  websockets.inject(server);
  const addr = server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;
  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${boundPort}`;
  // The sandbox gets a Keystone admin and a demo member, written to <stateDir>/clouds.yaml.
  const clouds = sandbox ? await bootstrapSandbox(sandbox.connection, stateDir, config.publicUrl ?? url, identityOptions(config).scrypt) : undefined;
  return {
    url,
    clouds,
    kubeUrl: sandbox?.kubeUrl,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections (clients that are done) would hold close() open forever.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      await sandbox?.close();
    },
  };
}

async function main() {
  let config: Config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    exitOnConfigError(err, process.exit);
  }
  const running = await startNode(config);
  const base = config.publicUrl ?? running.url;
  console.error(`Dicot is listening on ${running.url}`);
  console.error(`  identity (auth URL): ${base}/identity/v3`);
  for (const r of config.regions) console.error(`  region ${r.name}: ${base}/${r.name}/compute/v2.1 …`);
  if (running.kubeUrl) {
    console.error(`Embedded sandbox cluster: ${running.kubeUrl}`);
    console.error('  export KUBECONFIG=.dicot/kubeconfig   # then: kubectl get vm -A');
    if (running.clouds) console.error(`  export OS_CLIENT_CONFIG_FILE=${running.clouds}   # then: openstack --os-cloud dicot-demo server list`);
  }
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('platform/node.ts')) {
  await main();
}
