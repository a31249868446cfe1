import { readFileSync, statSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesConnectionConfig } from '../src/config/index.ts';
import { ConfigError } from '../src/config/index.ts';

// Resolves a region's credential description into server, TLS material and a token source.
// Server runtimes only (it reads files); the fetch that uses the TLS material is built by
// each runtime's own entry point.

export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

export interface ResolvedCredentials {
  server: string;
  tls: TlsMaterial;
  token: () => string | undefined;
}

/** A token file re-read when it changes (projected service-account tokens rotate). */
export function tokenFromFile(path: string): () => string | undefined {
  let cached: { mtimeMs: number; token: string } | undefined;
  return () => {
    const { mtimeMs } = statSync(path);
    if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, token: readFileSync(path, 'utf8').trim() };
    return cached.token;
  };
}

const decode = (b64?: string) => (b64 ? atob(b64) : undefined);
const readOpt = (path?: string) => (path ? readFileSync(path, 'utf8') : undefined);

function fromKubeConfig(kc: KubeConfig, where: string): ResolvedCredentials {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) throw new ConfigError([`${where}: no current cluster (fix: pass "context" naming one of ${kc.getContexts().map((c) => c.name).join(', ') || 'its contexts'})`]);
  const tokenFile = (user?.authProvider?.config as { tokenFile?: string } | undefined)?.tokenFile;
  const token = user?.token;
  return {
    server: cluster.server,
    tls: {
      ca: decode(cluster.caData) ?? readOpt(cluster.caFile),
      cert: decode(user?.certData) ?? readOpt(user?.certFile),
      key: decode(user?.keyData) ?? readOpt(user?.keyFile),
      insecure: cluster.skipTLSVerify,
    },
    token: tokenFile ? tokenFromFile(tokenFile) : () => token,
  };
}

// client-node is large and only needed for kubeconfig / in-cluster files: load it lazily.
const loadKubeConfig = async () => new (await import('@kubernetes/client-node')).KubeConfig();

export async function resolveCredentials(k: KubernetesConnectionConfig, where: string): Promise<ResolvedCredentials> {
  if (k.kubeconfig) {
    const kc = await loadKubeConfig();
    kc.loadFromFile(k.kubeconfig);
    if (k.context) kc.setCurrentContext(k.context);
    const resolved = fromKubeConfig(kc, `${where}.kubeconfig`);
    return k.server ? { ...resolved, server: k.server } : resolved;
  }
  if (k.inCluster) {
    const kc = await loadKubeConfig();
    kc.loadFromCluster();
    return fromKubeConfig(kc, `${where}.inCluster`);
  }
  const tls: TlsMaterial = { ca: k.ca ?? readOpt(k.caFile), insecure: k.insecureSkipTLSVerify };
  const token = k.tokenFile ? tokenFromFile(k.tokenFile) : () => k.token;
  return { server: k.server as string, tls, token };
}
