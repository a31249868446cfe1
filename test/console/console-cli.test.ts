import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { BACKGROUND } from '../../src/sandbox/cluster/rfb.ts';
import { type CliSession, startCliSession } from '../clients/cli.ts';
import { ARTIFACTS, converse } from './helpers.ts';

// Consoles end to end on Node: the Debian `openstack` CLI asks for a console URL, headless
// Chromium opens the noVNC page the gateway serves, the RFB handshake runs through the
// gateway's websocket proxy to the sandbox's VNC server, and the screenshot shows the
// server's framebuffer (kept in test/console/.artifacts/, git-ignored). The serial URL is a
// websocket that echoes; `console log show` prints the boot log; refusals close with a reason.

let cli: CliSession;
let browser: Browser | undefined;
type Row = Record<string, unknown>;
const demo = (...a: string[]) => cli.os('dicot-demo', ...a, '-f', 'json') as Promise<Row>;

before(async () => {
  cli = await startCliSession('console');
  writeFileSync(join(cli.dir, 'cirros.img'), Buffer.alloc(1024 * 1024, 7));
  await demo('image', 'create', '--file', './cirros.img', '--disk-format', 'raw', '--container-format', 'bare', 'cirros');
  const end = Date.now() + 30_000;
  while ((await demo('image', 'show', 'cirros')).status !== 'active') {
    assert.ok(Date.now() < end, 'image never became active');
    await new Promise((r) => setTimeout(r, 200));
  }
  const created = await demo('server', 'create', '--image', 'cirros', '--flavor', 'u1.small', '--wait', 'web-1');
  assert.equal(created.status, 'ACTIVE');
});
after(async () => {
  await browser?.close();
  await cli?.close();
});

test('console url show --novnc opens in Chromium: RFB handshake, framebuffer with the server name', async () => {
  const { url } = await demo('console', 'url', 'show', '--novnc', 'web-1');
  assert.match(String(url), /^http:\/\/127\.0\.0\.1:\d+\/RegionOne\/console\/novnc\?token=/);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 800, height: 520 } });
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(new URL(String(url)).origin) && !r.url().startsWith('ws://')) external.push(r.url());
  });
  await page.goto(String(url));
  await page.waitForSelector('#bar[data-state="connected"]', { timeout: 15_000 });
  // The desktop name from ServerInit is the VM's object name (a slug of the server's name).
  await page.waitForFunction(() => document.title.startsWith('web-1-'), undefined, { timeout: 5_000 });
  // The first full update has been drawn once the canvas shows the background colour.
  const pixels = async () =>
    page.evaluate(() => {
      const canvas = document.querySelector('#screen canvas') as HTMLCanvasElement;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let white = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255) white++;
      return { w: canvas.width, h: canvas.height, corner: [...ctx.getImageData(10, 200, 1, 1).data.slice(0, 3)], white };
    });
  const end = Date.now() + 10_000;
  let p = await pixels();
  while (p.white === 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    p = await pixels();
  }
  assert.equal(p.w, 640);
  assert.equal(p.h, 400);
  assert.deepEqual(p.corner, [...BACKGROUND]);
  assert.ok(p.white > 500, `the server name is drawn in white (${p.white} white pixels)`);
  // Typing reaches the VNC server: the prompt line grows.
  await page.locator('#screen canvas').click();
  await page.keyboard.type('OK');
  await page.waitForFunction(
    (before) => {
      const canvas = document.querySelector('#screen canvas') as HTMLCanvasElement;
      const d = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
      let white = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255) white++;
      return white > before;
    },
    p.white,
    { timeout: 5_000 },
  );
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'novnc-node.png') });
  assert.deepEqual(external, [], 'the page loads nothing from outside the gateway');
  await page.close();
});

test('the xterm serial page shows the boot log and echoes what is typed', async () => {
  const { url } = await demo('console', 'url', 'show', '--serial', 'web-1');
  const pageUrl = String(url).replace(/^ws/, 'http').replace('/console/websocket?', '/console/serial?');
  assert.ok(browser, 'the noVNC test launched the browser');
  const page = await (browser as Browser).newPage();
  try {
    await page.goto(pageUrl);
    await page.waitForSelector('#bar[data-state="connected"]', { timeout: 15_000 });
    const screen = () =>
      page.evaluate(() => {
        const term = (window as unknown as { term: { buffer: { active: { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } } } }).term;
        const lines: string[] = [];
        for (let i = 0; i < term.buffer.active.length; i++) lines.push(term.buffer.active.getLine(i)?.translateToString(true) ?? '');
        return lines.join('\n');
      });
    const shows = async (re: RegExp) => {
      const end = Date.now() + 10_000;
      while (!re.test(await screen()) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      assert.match(await screen(), re);
    };
    await shows(/login: $/m);
    assert.match(await screen(), /Hostname set to <web-1-[a-z0-9]+>/);
    await page.locator('#screen').click();
    await page.keyboard.type('root');
    await shows(/web-1-[a-z0-9]+ login: root/);
    await page.screenshot({ path: join(ARTIFACTS, 'serial-node.png') });
  } finally {
    await page.close();
  }
});

test('console url show --serial gives a websocket that prints the boot log and echoes input; a token works once', async () => {
  const { url, type } = await demo('console', 'url', 'show', '--serial', 'web-1');
  assert.equal(type, 'serial');
  assert.match(String(url), /^ws:\/\/127\.0\.0\.1:\d+\/RegionOne\/console\/websocket\?token=/);
  const first = await converse(String(url), ['hello\r'], /hello\r\n/);
  assert.match(first.text, /Hostname set to <web-1-[a-z0-9]+>/);
  assert.match(first.text, /web-1-[a-z0-9]+ login: hello\r\n/);
  const again = await converse(String(url));
  assert.equal(again.code, 4401);
  assert.equal(again.reason, 'console token already used');
});

test('console log show --lines 20 prints the last lines of the boot log', async () => {
  const r = await cli.run(['--os-cloud', 'dicot-demo', 'console', 'log', 'show', '--lines', '20', 'web-1']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.replace(/\n$/, '').split('\n');
  assert.equal(lines.length, 20);
  assert.match(lines.at(-1) as string, /^web-1-[a-z0-9]+ login: $/);
  assert.ok(lines.some((l) => /Hostname set to <web-1-[a-z0-9]+>/.test(l)));
  const all = await cli.run(['--os-cloud', 'dicot-demo', 'console', 'log', 'show', 'web-1']);
  assert.match(all.stdout, /^\[ {4}0\.000000\] Linux version/);
});

test('a forged or altered token is refused with a reason', async () => {
  const { url } = await demo('console', 'url', 'show', '--serial', 'web-1');
  const [head, payload, sig] = String(new URL(String(url)).searchParams.get('token')).split('.');
  const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
  claims.server = '00000000-0000-0000-0000-000000000000';
  const altered = `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
  const u = new URL(String(url));
  u.searchParams.set('token', altered);
  const res = await converse(u.href);
  assert.equal(res.code, 4401);
  assert.equal(res.reason, 'console token invalid');
});

test("a member cannot get a console of another project's server", async () => {
  await cli.os('dicot-admin', 'server', 'create', '--image', 'cirros', '--flavor', 'u1.small', '--wait', 'admin-vm', '-f', 'json');
  const r = await cli.run(['--os-cloud', 'dicot-demo', 'console', 'url', 'show', '--novnc', 'admin-vm']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /No Server found for admin-vm/);
});
