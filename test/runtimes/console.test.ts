import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { serveSandbox } from '../../platform/sandbox-http.ts';
import { createGateway } from '../../src/app.ts';
import { parseConfig } from '../../src/config/index.ts';
import { bootstrap } from '../../src/identity/bootstrap.ts';
import { createKubeClient } from '../../src/kube/index.ts';
import { type Sandbox, createSandbox } from '../../src/sandbox/index.ts';
import { ARTIFACTS, converse } from '../console/helpers.ts';
import { IMAGE, installTestImages } from '../compute/servers-helpers.ts';
import { ADMIN, TEST_SCRYPT } from '../helpers/gateway.ts';
import { type Launched, type Runtime, launch } from './launch.ts';

// The console chain on every runtime: the gateway on Node, Bun, Deno and workerd, a sandbox
// cluster served over HTTP (its vnc/console subresources are real websocket upgrades there),
// one server. Per runtime: the noVNC page opens in Chromium and draws the framebuffer
// (screenshot kept as test/console/.artifacts/novnc-<runtime>.png), the serial websocket
// echoes, and a reused token is refused with its reason. CONSOLE_RUNTIMES=node,deno picks some.

const RUNTIMES: Runtime[] = (process.env.CONSOLE_RUNTIMES?.split(',') as Runtime[] | undefined) ?? ['node', 'bun', 'deno', 'workerd'];

let sandbox: Sandbox;
let kube: { url: string; close(): Promise<void> };
let browser: Browser;
let serverId = '';

async function adminToken(url: string, f: typeof fetch = fetch): Promise<string> {
  const res = await f(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: ADMIN.name, domain: { id: 'default' }, password: ADMIN.password } } },
        scope: { project: { name: ADMIN.project, domain: { id: 'default' } } },
      },
    }),
  });
  assert.equal(res.status, 201, await res.text());
  return res.headers.get('x-subject-token') as string;
}

async function call(url: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, f: typeof fetch = fetch) {
  const res = await f(`${url}${path}`, {
    method,
    headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    assert.ok(Date.now() < end, `timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A running server, made once through an in-process gateway over the same sandbox (its test
 * boot images need no upload); the runtimes' gateways then find it in the cluster.
 */
async function makeServer(): Promise<string> {
  installTestImages();
  const app = createGateway(parseConfig({ identity: { scrypt: TEST_SCRYPT } }), {
    kube: { RegionOne: { server: 'http://sandbox', fetch: ((i: string, init?: RequestInit) => sandbox.fetch(new Request(i, init))) as typeof fetch, token: () => sandbox.gatewayToken } },
    log: () => {},
    now: Date.now,
  });
  const url = 'http://gw';
  const fetchApp = (async (input: string, init?: RequestInit) => app.request(input, init)) as typeof fetch;
  const token = await adminToken(url, fetchApp);
  const created = await call(url, token, 'POST', '/RegionOne/compute/v2.1/servers', { server: { name: 'rt-1', imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none' } }, { 'OpenStack-API-Version': 'compute 2.37' }, fetchApp);
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const id = created.body.server.id as string;
  await until('server ACTIVE', async () => {
    const s = (await call(url, token, 'GET', `/RegionOne/compute/v2.1/servers/${id}`, undefined, {}, fetchApp)).body.server;
    return s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null ? true : undefined;
  });
  return id;
}

before(async () => {
  sandbox = createSandbox();
  await sandbox.ready;
  kube = await serveSandbox(sandbox, { hostname: '127.0.0.1', port: 0 });
  const k = createKubeClient({ server: 'http://sandbox', fetch: ((i: string, init?: RequestInit) => sandbox.fetch(new Request(i, init))) as typeof fetch, token: () => sandbox.gatewayToken });
  await bootstrap(k, [{ ...ADMIN, role: 'admin' }], { scrypt: TEST_SCRYPT });
  serverId = await makeServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await kube?.close();
  await sandbox?.close();
});

const consoleUrl = async (url: string, token: string, protocol: string, type: string) => {
  const r = await call(url, token, 'POST', `/RegionOne/compute/v2.1/servers/${serverId}/remote-consoles`, { remote_console: { protocol, type } }, { 'OpenStack-API-Version': 'compute 2.6' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.remote_console.url as string;
};

for (const runtime of RUNTIMES) {
  describe(`console on ${runtime}`, () => {
    let gw: Launched;
    let token: string;
    before(async () => {
      gw = await launch(runtime, [{ region: 'RegionOne', server: kube.url, token: sandbox.gatewayToken }]);
      token = await adminToken(gw.url);
    });
    after(() => gw?.close());

    test('the noVNC page connects and draws the server framebuffer', async () => {
      const url = await consoleUrl(gw.url, token, 'vnc', 'novnc');
      const page = await browser.newPage({ viewport: { width: 800, height: 520 } });
      try {
        await page.goto(url);
        await page.waitForSelector('#bar[data-state="connected"]', { timeout: 15_000 });
        await page.waitForFunction(
          () => {
            const canvas = document.querySelector('#screen canvas') as HTMLCanvasElement | null;
            if (canvas?.width !== 640) return false;
            const d = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
            let white = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255) white++;
            return white > 500;
          },
          undefined,
          { timeout: 10_000 },
        );
        assert.match(await page.title(), /^rt-1-/);
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, `novnc-${runtime}.png`) });
      } finally {
        await page.close();
      }
    });

    test('the serial websocket echoes; the token works once', async () => {
      const url = await consoleUrl(gw.url, token, 'serial', 'serial');
      const first = await converse(url, ['ping\r'], /ping\r\n/);
      assert.match(first.text, /rt-1-[a-z0-9]+ login: ping\r\n/);
      const again = await converse(url);
      assert.deepEqual([again.code, again.reason], [4401, 'console token already used']);
    });
  });
}
