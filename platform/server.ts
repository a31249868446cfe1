import type { Config } from '../src/config/index.ts';
import { createMetrics } from '../src/core/metrics.ts';
import { type ConnectWebSocket, type KubeConnection, type Platform, jsonLogger } from '../src/platform.ts';
import { type TlsMaterial, resolveCredentials } from './kube-credentials.ts';

// What Node, Bun and Deno share: credentials from files, JSON logs on stdout. Only the
// fetch that trusts a cluster CA differs per runtime, so each passes its own `makeFetch`.

export type MakeFetch = (tls: TlsMaterial) => typeof fetch;
/** The runtime's outbound websocket trusting a cluster's CA (the console proxy). */
export type MakeWebSocket = (tls: TlsMaterial) => ConnectWebSocket;

export async function serverPlatform(
  config: Config,
  makeFetch: MakeFetch,
  embedded?: Record<string, KubeConnection>,
  write: (text: string) => void = (t) => process.stdout.write(t),
  makeWebSocket?: MakeWebSocket,
): Promise<Platform> {
  const kube: Record<string, KubeConnection> = { ...embedded };
  for (const [i, region] of config.regions.entries()) {
    if (kube[region.name] || !region.kubernetes) continue;
    const creds = await resolveCredentials(region.kubernetes, `regions[${i}].kubernetes`);
    kube[region.name] = { server: creds.server, fetch: makeFetch(creds.tls), token: creds.token, ...(makeWebSocket ? { websocket: makeWebSocket(creds.tls) } : {}) };
  }
  return { kube, log: jsonLogger(write), now: Date.now, metrics: createMetrics() };
}

export const hasTls = (tls: TlsMaterial) => Boolean(tls.ca || tls.cert || tls.key || tls.insecure);
