import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { tokenBindingName } from '../../platform/workers-bindings.ts';
import { bundleWorker } from './workers-bundle.ts';

// Starts the gateway on one runtime, pointed at a Kubernetes API over HTTP, and returns its
// URL. Every runtime gets the same configuration a user would write.

/** `bun-exe`: the single executable `bun build --compile` makes, as the container image ships it. */
export type Runtime = 'node' | 'bun' | 'bun-exe' | 'deno' | 'workerd';

export interface Launched {
  url: string;
  /** Stops the gateway (SIGTERM for a process) and waits for it to end. */
  close(): Promise<void>;
  /** The exit code once a gateway process has ended (not for workerd). */
  exitCode?(): number | null;
}

export interface ClusterRef {
  region: string;
  server: string;
  token: string;
}

const DENO = 'node_modules/@deno/linux-x64-glibc/deno';
const BUN = 'node_modules/.bin/bun';

function configFor(clusters: ClusterRef[]) {
  return {
    listen: { hostname: '127.0.0.1', port: 0 },
    regions: clusters.map((c, i) => ({ name: c.region, identity: i === 0, kubernetes: { server: c.server, token: c.token } })),
  };
}

/** Starts a gateway process with DICOT_CONFIG_JSON = `config`; resolves once it logs its URL. */
export async function spawnServer(cmd: string, args: string[], config: object): Promise<Launched> {
  const child: ChildProcess = spawn(cmd, args, {
    env: { ...process.env, DICOT_CONFIG_JSON: JSON.stringify(config), NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start in 60 s:\n${stderr}`)), 60_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
    exitCode: () => child.exitCode,
  };
}

async function startWorkerd(config: ReturnType<typeof configFor>, clusters: ClusterRef[]): Promise<Launched> {
  const { Miniflare } = await import('miniflare');
  const script = 'dist/test-worker.js';
  await bundleWorker(script);
  // Tokens travel as secrets, not in the config, as they do at the edge.
  const edgeConfig = { ...config, regions: config.regions.map((r) => ({ ...r, kubernetes: { server: r.kubernetes.server } })) };
  const bindings: Record<string, string> = { DICOT_CONFIG: JSON.stringify(edgeConfig) };
  for (const c of clusters) bindings[tokenBindingName(c.region)] = c.token;
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    compatibilityDate: '2025-06-01',
    bindings,
    // The worker's request log lines would drown the test report.
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      stdout.resume();
      stderr.resume();
    },
  });
  const url = (await mf.ready).href.replace(/\/$/, '');
  return { url, close: () => mf.dispose() };
}

/** Compiles platform/bun.ts the way deploy/container/Containerfile does (once per test process). */
let compiled: Promise<string> | undefined;
export function bunExecutable(): Promise<string> {
  compiled ??= (async () => {
    const out = 'dist/dicot-bun';
    const child = spawn(BUN, ['build', '--compile', '--minify', 'platform/bun.ts', '--outfile', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c) => {
      stderr += c;
    });
    const [code] = await once(child, 'exit');
    if (code !== 0) throw new Error(`bun build --compile failed (${code}):\n${stderr}`);
    return out;
  })();
  return compiled;
}

export function launch(runtime: Runtime, clusters: ClusterRef[]): Promise<Launched> {
  const config = configFor(clusters);
  switch (runtime) {
    case 'node':
      return spawnServer(process.execPath, ['--import', 'tsx', 'platform/node.ts'], config);
    case 'bun':
      return spawnServer(BUN, ['platform/bun.ts'], config);
    case 'bun-exe':
      return bunExecutable().then((exe) => spawnServer(exe, [], config));
    case 'deno':
      return spawnServer(DENO, ['run', '--allow-net', '--allow-env', '--allow-read', 'platform/deno.ts'], config);
    case 'workerd':
      return startWorkerd(config, clusters);
  }
}
