import { join } from 'node:path';
import type { KubeConnection } from '../src/platform.ts';
import { SANDBOX_SERVER, createSandbox } from '../src/sandbox/index.ts';
import { selfSignedTls, serveSandbox, writeKubeconfig } from './sandbox-http.ts';
import { stateFile } from './state-file.ts';

// The embedded cluster of `npm start`: an in-process sandbox the gateway reaches through
// its Kubernetes API (in-process fetch, no socket), also served on a port for kubectl.

export interface EmbeddedSandbox {
  connection: KubeConnection;
  kubeUrl: string;
  close(): Promise<void>;
}

export async function startEmbeddedSandbox(opts: {
  stateDir: string;
  timing: 'instant' | 'demo';
  kubePort?: number;
}): Promise<EmbeddedSandbox> {
  const sandbox = createSandbox({ timing: opts.timing, state: stateFile(join(opts.stateDir, 'sandbox-state.json')) });
  await sandbox.ready;
  // HTTPS: kubectl sends bearer tokens and impersonation headers only over TLS.
  const served = await serveSandbox(sandbox, { hostname: '127.0.0.1', port: opts.kubePort ?? 0, tls: await selfSignedTls() });
  await writeKubeconfig(join(opts.stateDir, 'kubeconfig'), served.url, sandbox.adminToken, served.caPem);
  return {
    connection: {
      server: SANDBOX_SERVER,
      fetch: ((input: string | URL | Request, init?: RequestInit) =>
        sandbox.fetch(new Request(input, init))) as typeof fetch,
      token: () => sandbox.gatewayToken,
      websocket: sandbox.websocket,
    },
    kubeUrl: served.url,
    close: async () => {
      await served.close();
      await sandbox.close();
    },
  };
}
