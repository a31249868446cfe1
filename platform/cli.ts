import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseYaml, stringify } from 'yaml';
import { type BootstrapUser, bootstrap } from '../src/identity/bootstrap.ts';
import { randomSecret } from '../src/identity/passwords.ts';
import type { ScryptParams } from '../src/identity/scrypt.ts';
import { createKubeClient } from '../src/kube/index.ts';
import { installDicotCrds } from '../src/network/install.ts';
import type { KubeConnection } from '../src/platform.ts';
import { resolveCredentials } from './kube-credentials.ts';

// `dicot bootstrap` (like `keystone-manage bootstrap`): creates the admin user, project and
// roles on a real cluster, after installing Dicot's CRDs (deploy/crds). Also the sandbox's
// bootstrap for `npm start`, which writes .dicot/clouds.yaml with an admin and a demo member.
//
//   npx tsx platform/cli.ts bootstrap --kubeconfig <file> [--context c] [--password p]
//       [--username admin] [--project admin]
// Without --password (and without DICOT_BOOTSTRAP_PASSWORD) the password is prompted for.

const USAGE = 'usage: dicot bootstrap --kubeconfig <file> [--context <name>] [--password <p>] [--username admin] [--project admin]';

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value\n${USAGE}`);
  return v;
}

/** Reads a line without echoing it (a password). */
function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(question);
    out._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

export async function bootstrapCommand(argv: string[]): Promise<void> {
  const kubeconfig = option(argv, 'kubeconfig');
  if (!kubeconfig) throw new Error(USAGE);
  const context = option(argv, 'context');
  // Imported late: node.ts imports this module for the sandbox bootstrap.
  const { nodeFetch } = await import('./node.ts');
  const creds = await resolveCredentials({ kubeconfig, ...(context ? { context } : {}) }, 'bootstrap');
  const kube = createKubeClient({ server: creds.server, fetch: nodeFetch(creds.tls), token: creds.token, userAgent: 'dicot-bootstrap' });
  const username = option(argv, 'username') ?? 'admin';
  const project = option(argv, 'project') ?? 'admin';
  const password = option(argv, 'password') ?? process.env.DICOT_BOOTSTRAP_PASSWORD ?? (await prompt(`Password for ${username}: `));
  if (!password) throw new Error('an empty password is not allowed');
  for (const name of await installDicotCrds(kube)) console.error(`crd ${name} installed`);
  const result = await bootstrap(kube, [{ name: username, password, project, role: 'admin' }]);
  for (const u of result.users) console.error(`user ${u.name} (${u.id}) has role ${u.role} on project ${u.project} (${u.projectId})`);
}

type Cloud = { auth: { username: string; password: string; project_name: string } };

function cloudEntry(authUrl: string, u: BootstrapUser) {
  return {
    auth: {
      auth_url: authUrl,
      username: u.name,
      password: u.password,
      project_name: u.project,
      user_domain_name: 'Default',
      project_domain_name: 'Default',
    },
    region_name: 'RegionOne',
    identity_api_version: 3,
    interface: 'public',
  };
}

/** Passwords from an earlier clouds.yaml, so a restarted sandbox keeps its credentials. */
function previousPassword(file: string, cloud: string): string | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { clouds?: Record<string, Cloud> };
    return doc.clouds?.[cloud]?.auth?.password;
  } catch {
    return undefined;
  }
}

/**
 * The sandbox's users: `admin` (admin on project admin) and `demo` (member of project demo),
 * written to <stateDir>/clouds.yaml as clouds `dicot-admin` and `dicot-demo`.
 */
export async function bootstrapSandbox(connection: KubeConnection, stateDir: string, baseUrl: string, scrypt?: ScryptParams): Promise<string> {
  const file = join(stateDir, 'clouds.yaml');
  const users: BootstrapUser[] = [
    { name: 'admin', password: previousPassword(file, 'dicot-admin') ?? randomSecret(18), project: 'admin', role: 'admin' },
    { name: 'demo', password: previousPassword(file, 'dicot-demo') ?? randomSecret(18), project: 'demo', role: 'member' },
  ];
  const kube = createKubeClient({ server: connection.server, fetch: connection.fetch, token: connection.token, userAgent: 'dicot-bootstrap' });
  await bootstrap(kube, users, scrypt ? { scrypt } : {});
  const authUrl = `${baseUrl.replace(/\/$/, '')}/identity/v3`;
  const doc = { clouds: { 'dicot-admin': cloudEntry(authUrl, users[0] as BootstrapUser), 'dicot-demo': cloudEntry(authUrl, users[1] as BootstrapUser) } };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, stringify(doc), { mode: 0o600 });
  return file;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'bootstrap') return bootstrapCommand(rest);
  throw new Error(`unknown command ${command ?? '(none)'}\n${USAGE}`);
}

if (process.argv[1]?.endsWith('platform/cli.ts')) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`dicot: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
