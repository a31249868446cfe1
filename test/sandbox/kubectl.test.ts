// kubectl (from PATH; CI installs it) against the sandbox over HTTP: apply, get, watch, delete,
// and a forbidden impersonated user. Missing kubectl fails the test rather than skipping it.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { selfSignedTls, serveSandbox, type ServedSandbox, writeKubeconfig } from '../../platform/sandbox-http.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';

const exec = promisify(execFile);
const FIXTURE = join(import.meta.dirname, 'fixtures', 'vm-cirros.yaml');

let sandbox: Sandbox;
let served: ServedSandbox;
let dir: string;
let kubeconfig: string;

// Async only: the API server runs in this process, so a blocking child would deadlock it.
async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('kubectl is not on PATH: install kubectl (v1.32) to run this test');
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

async function until(what: string, check: () => Promise<boolean>, seen: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen:\n${seen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  sandbox = createSandbox();
  await sandbox.ready;
  // HTTPS: kubectl sends no token (and no --as) to a plain-HTTP server.
  served = await serveSandbox(sandbox, { hostname: '127.0.0.1', port: 0, tls: await selfSignedTls() });
  dir = await mkdtemp(join(tmpdir(), 'dicot-kubectl-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, served.url, sandbox.adminToken, served.caPem);
});

after(async () => {
  await served?.close();
  await sandbox?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The line for `name` (kubectl prints `kind.group/name` when several kinds are asked for). */
const row = (out: string, name: string) => out.split('\n').find((l) => (l.split(/\s+/)[0] ?? '').replace(/^.*\//, '') === name) ?? '';

test('kubectl apply, get, watch, delete and a forbidden user against the sandbox', async () => {
  const applied = await kubectl('apply', '--validate=false', '-f', FIXTURE);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /virtualmachine\.kubevirt\.io\/vm-cirros created/);

  // The controllers start it: the VM shows Running and its VMI Running on a node.
  let out = '';
  await until('vm and vmi Running', async () => {
    const r = await kubectl('get', 'vm,vmi');
    out = r.stdout;
    return /Running/.test(row(out.split('\n\n')[0] ?? '', 'vm-cirros')) && /Running/.test(row(out.split('\n\n')[1] ?? '', 'vm-cirros'));
  }, () => out);
  assert.match(out, /STATUS/);
  assert.match(out, /PHASE/);

  const shown = await kubectl('get', 'vm', 'vm-cirros', '-o', 'jsonpath={.metadata.annotations}');
  assert.match(shown.stdout, /kubectl\.kubernetes\.io\/last-applied-configuration/);

  // `kubectl get vm -w` sees the stop.
  const watcher = spawn('kubectl', ['--kubeconfig', kubeconfig, 'get', 'vm', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let watched = '';
  watcher.stdout.on('data', (b: Buffer) => {
    watched += b.toString();
  });
  try {
    await until('the watch to print the VM', async () => /vm-cirros/.test(watched));
    const patched = await kubectl('patch', 'vm', 'vm-cirros', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Halted"}}');
    assert.equal(patched.code, 0, patched.stderr);
    await until('the watch to show Stopped', async () => /vm-cirros\s+\S+\s+Stopped/.test(watched), () => watched);
  } finally {
    watcher.kill();
  }

  // Start again, then delete: the VMI (owned by the VM) goes too.
  await kubectl('patch', 'vm', 'vm-cirros', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Always"}}');
  await until('the VMI to come back', async () => /Running/.test(row((await kubectl('get', 'vmi')).stdout, 'vm-cirros')));
  const deleted = await kubectl('delete', 'vm', 'vm-cirros');
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /virtualmachine\.kubevirt\.io "vm-cirros" deleted/);
  await until('the VMI to be collected', async () => {
    const r = await kubectl('get', 'vmi');
    return r.code === 0 && !/vm-cirros/.test(r.stdout);
  });

  // A user without bindings, through impersonation by the admin.
  const denied = await kubectl('get', 'vm', '--as=bob');
  assert.notEqual(denied.code, 0);
  assert.match(
    denied.stderr,
    /Error from server \(Forbidden\): virtualmachines\.kubevirt\.io is forbidden: User "bob" cannot list resource "virtualmachines" in API group "kubevirt\.io" in the namespace "default"/,
  );
});
