import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningNode, startNode } from '../../platform/node.ts';
import { bootstrapSandbox } from '../../platform/cli.ts';
import { parseConfig } from '../../src/config/index.ts';

// What every CLI scenario shares: a gateway over a fresh sandbox on a free port (with its
// clouds.yaml), and the Debian `openstack` CLI run against it with JSON output.

export const OPENSTACK = '/usr/bin/openstack';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export type Row = Record<string, unknown>;

export interface CliSession {
  node: RunningNode;
  /** Working directory of the CLI (files the scenario makes live here). */
  dir: string;
  cloudsFile: string;
  /** `kubectl` for this cluster (the lane's own build against a real apiserver), and its kubeconfig. */
  kubectl: string;
  kubeconfig: string;
  /** Any program, in `dir`, with the CLI's environment (plus `env`). */
  exec(file: string, args: string[], env?: Record<string, string>): Promise<Result>;
  /** `openstack <args>`, whatever its exit code. */
  run(args: string[], env?: Record<string, string>): Promise<Result>;
  /** `openstack --os-cloud <cloud> <args>`, which must succeed; its JSON output parsed. */
  os(cloud: string, ...args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

export async function startCliSession(name: string): Promise<CliSession> {
  const dir = mkdtempSync(join(tmpdir(), `dicot-${name}-cli-`));
  // A cheap password hash: the CLI logs in on every command.
  const scrypt = { N: 1024, r: 8, p: 1 };
  let node: RunningNode;
  let cloudsFile: string;
  let stopLane = async () => {};
  let kubectl = '/usr/bin/kubectl';
  const kubeconfig = join(dir, 'kubeconfig');
  if (process.env.DICOT_TEST_CLUSTER === 'real') {
    // The real-cluster lane: the gateway configured for a real cluster (URL, CA, token), and
    // the same two users the sandbox mode bootstraps, written to clouds.yaml the same way.
    const { startLane } = await import('../realcluster/lane.ts');
    const lane = await startLane();
    stopLane = () => lane.stop();
    kubectl = lane.kubectl;
    copyFileSync(lane.kubeconfig, kubeconfig);
    try {
      const kubernetes = { server: lane.url, ca: lane.ca, token: lane.gatewayToken };
      const config = parseConfig({ listen: { hostname: '127.0.0.1', port: 0 }, identity: { scrypt }, regions: [{ name: 'RegionOne', identity: true, kubernetes }] });
      node = await startNode(config, { stateDir: dir, log: () => {} });
      cloudsFile = await bootstrapSandbox({ server: lane.url, fetch: lane.fetch, token: () => lane.gatewayToken }, dir, node.url, scrypt);
    } catch (e) {
      await lane.stop();
      throw e;
    }
  } else {
    const config = parseConfig({ listen: { hostname: '127.0.0.1', port: 0 }, identity: { scrypt } });
    node = await startNode(config, { stateDir: dir, timing: 'instant', log: () => {} });
    assert.ok(node.clouds, 'the gateway wrote no clouds.yaml');
    cloudsFile = node.clouds;
  }
  const exec = (file: string, args: string[], env: Record<string, string> = {}) =>
    new Promise<Result>((resolve) => {
      const child = execFile(
        file,
        args,
        // Debian's python3, not pyenv's: PYTHON* unset; no proxies for 127.0.0.1.
        {
          cwd: dir,
          env: { PATH: '/usr/bin:/bin', HOME: dir, OS_CLIENT_CONFIG_FILE: cloudsFile, no_proxy: '*', ...env },
          timeout: 90_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      // An empty stdin, as in a terminal with nothing typed: `image create` without --file
      // would otherwise wait for image data on the pipe.
      child.stdin?.end();
    });
  const run = (args: string[], env?: Record<string, string>) => exec(OPENSTACK, args, env);
  const os = async (cloud: string, ...args: string[]) => {
    const r = await run(['--os-cloud', cloud, ...args]);
    assert.equal(r.code, 0, `openstack ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  };
  return {
    node,
    dir,
    cloudsFile,
    kubectl,
    kubeconfig,
    exec,
    run,
    os,
    close: async () => {
      await node.close();
      await stopLane();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
