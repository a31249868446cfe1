import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { joinSockets } from '../../src/console/pipe.ts';
import { ConsoleRefused, openUpstream, redeemConsoleToken } from '../../src/console/service.ts';
import { CONSOLE_TTL_SECONDS, verifyConsoleToken } from '../../src/console/token.ts';
import { identityOf } from '../../src/identity/service.ts';
import type { WsData, WsPeer } from '../../src/platform.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { C, CV, api } from '../compute/helpers.ts';
import { computeGateway, IMAGE, waitActive, waitStatus } from '../compute/servers-helpers.ts';

// The compute side of consoles over the in-process sandbox: remote-consoles (2.6+) and the
// legacy actions with Nova's shapes and faults, the admin connection-info API, and the token
// checks the proxy makes (expiry, single use, another region, RBAC as the token's user).

let gw: TestGateway;
let admin: string;
let demo: string;
let server: string;

before(async () => {
  ({ gw, admin, demo } = await computeGateway());
  const r = await api(gw, demo, 'POST', `${C}/servers`, { server: { name: 'con-1', imageRef: IMAGE, flavorRef: 'u1.small', networks: 'none' } }, CV('2.37'));
  assert.equal(r.status, 202, JSON.stringify(r.body));
  server = r.body.server.id;
  await waitActive(gw, demo, server);
});
after(() => gw?.close());

const remote = (token: string, body: unknown, v = '2.6', id = server) => api(gw, token, 'POST', `${C}/servers/${id}/remote-consoles`, body, CV(v));
const tokenOf = (url: string) => new URL(url.replace(/^ws/, 'http')).searchParams.get('token') as string;

test('remote-consoles: vnc/novnc and serial/serial give gateway URLs; other types are Nova 400s; below 2.6 404', async () => {
  const vnc = await remote(demo, { remote_console: { protocol: 'vnc', type: 'novnc' } });
  assert.equal(vnc.status, 200);
  assert.deepEqual(Object.keys(vnc.body.remote_console).sort(), ['protocol', 'type', 'url']);
  assert.match(vnc.body.remote_console.url, /^http:\/\/gw\/RegionOne\/console\/novnc\?token=/);
  const serial = await remote(demo, { remote_console: { protocol: 'serial', type: 'serial' } });
  assert.match(serial.body.remote_console.url, /^ws:\/\/gw\/RegionOne\/console\/websocket\?token=/);
  assert.equal((await remote(demo, { remote_console: { protocol: 'spice', type: 'spice-html5' } })).body.badRequest.message, 'Unavailable console type spice-html5.');
  assert.equal((await remote(demo, { remote_console: { protocol: 'vnc', type: 'serial' } })).body.badRequest.message, 'Invalid console type serial');
  assert.equal((await remote(demo, { remote_console: { protocol: 'vnc', type: 'bogus' } })).status, 400);
  assert.equal((await remote(demo, { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.5')).status, 404);
  // Recorded in the instance actions.
  const actions = await api(gw, demo, 'GET', `${C}/servers/${server}/os-instance-actions`);
  assert.ok(actions.body.instanceActions.some((a: { action: string }) => a.action === 'get_vnc_console'));
});

test('legacy actions answer {console: {type, url}}', async () => {
  const r = await api(gw, demo, 'POST', `${C}/servers/${server}/action`, { 'os-getVNCConsole': { type: 'novnc' } });
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body.console).sort(), ['type', 'url']);
  assert.equal(r.body.console.type, 'novnc');
  const s = await api(gw, demo, 'POST', `${C}/servers/${server}/action`, { 'os-getSerialConsole': { type: 'serial' } });
  assert.match(s.body.console.url, /^ws:/);
  assert.equal((await api(gw, demo, 'POST', `${C}/servers/${server}/action`, { 'os-getVNCConsole': { type: 'xvpvnc' } })).status, 400);
});

test('os-getConsoleOutput: the last `length` lines of the guest console log, all for -1 or null', async () => {
  const out = (length: unknown) => api(gw, demo, 'POST', `${C}/servers/${server}/action`, { 'os-getConsoleOutput': length === undefined ? {} : { length } });
  const three = await out(3);
  assert.equal(three.status, 200);
  assert.deepEqual(Object.keys(three.body), ['output']);
  assert.equal(three.body.output.split('\n').length, 3);
  assert.match(three.body.output, /login: $/);
  const all = (await out(null)).body.output.split('\n');
  assert.ok(all.length > 20);
  assert.deepEqual((await out('-1')).body.output.split('\n'), all);
  assert.deepEqual((await out(undefined)).body.output.split('\n'), all);
  assert.equal((await out(-2)).status, 400);
  assert.equal((await out('x')).status, 400);
});

test('os-console-auth-tokens: admins see where an unused token leads; members are refused', async () => {
  const url = (await remote(demo, { remote_console: { protocol: 'vnc', type: 'novnc' } })).body.remote_console.url;
  const token = tokenOf(url);
  const info = await api(gw, admin, 'GET', `${C}/os-console-auth-tokens/${token}`, undefined, CV('2.31'));
  assert.equal(info.status, 200);
  assert.equal(info.body.console.instance_uuid, server);
  assert.match(info.body.console.internal_access_path, /\/virtualmachineinstances\/con-1-[a-z0-9]+\/vnc$/);
  assert.equal((await api(gw, demo, 'GET', `${C}/os-console-auth-tokens/${token}`, undefined, CV('2.31'))).status, 403);
  assert.equal((await api(gw, admin, 'GET', `${C}/os-console-auth-tokens/not-a-token`, undefined, CV('2.31'))).status, 404);
  assert.equal((await api(gw, admin, 'GET', `${C}/os-console-auth-tokens/${token}`, undefined, CV('2.30'))).status, 400);
});

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConsoleRefused) return `${e.code} ${e.reason}`;
    throw e;
  }
  return 'accepted';
}

test('the proxy: a token opens the serial console once; expired and reused tokens are refused', async () => {
  const g = await gw.gateway();
  const region = g.identityRegion;
  const connect = g.platform.kube.RegionOne?.websocket;
  assert.ok(connect);
  const url = (await remote(demo, { remote_console: { protocol: 'serial', type: 'serial' } })).body.remote_console.url;
  const claims = await redeemConsoleToken(g, region, tokenOf(url));
  assert.equal(claims.server, server);
  assert.equal(claims.kind, 'serial');
  // The upstream speaks first; the join holds its frames until the browser side is open.
  const join = joinSockets();
  join.setUpstream(await openUpstream(connect, region, claims, join.upstreamEvents));
  const got: WsData[] = [];
  let closed = '';
  const browser: WsPeer = { protocol: '', bufferedAmount: 0, send: (d) => got.push(d), close: (code, reason) => (closed = `${code} ${reason}`) };
  join.open(browser);
  await new Promise((r) => setTimeout(r, 20));
  const text = () => got.map((d) => (typeof d === 'string' ? d : new TextDecoder().decode(d))).join('');
  assert.match(text(), /login: $/);
  join.browserEvents.onMessage(new TextEncoder().encode('x\r').buffer as ArrayBuffer);
  await new Promise((r) => setTimeout(r, 20));
  assert.match(text(), /login: x\r\n$/);
  // The browser leaves: the upstream is closed with its code and reason (and reports back the same).
  join.browserEvents.onClose(1000, 'bye');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(closed, '1000 bye');

  assert.equal(await refusal(redeemConsoleToken(g, region, tokenOf(url))), '4401 console token already used');
  const late = (await remote(demo, { remote_console: { protocol: 'vnc', type: 'novnc' } })).body.remote_console.url;
  gw.advance((CONSOLE_TTL_SECONDS + 10) * 1000);
  try {
    assert.equal(await refusal(redeemConsoleToken(g, region, tokenOf(late))), '4401 console token expired');
  } finally {
    gw.advance(-(CONSOLE_TTL_SECONDS + 10) * 1000);
  }
  assert.equal(await refusal(redeemConsoleToken(g, region, 'garbage')), '4401 console token invalid');
  // A Keystone token is no console token (another audience), and the reverse.
  assert.equal(await refusal(redeemConsoleToken(g, region, demo)), '4401 console token invalid');
  assert.equal((await api(gw, tokenOf(late), 'GET', `${C}/servers`)).status, 401);
});

test('Kubernetes RBAC decides as the token user: a user who lost the role is refused; a stopped server is 409', async () => {
  const g = await gw.gateway();
  const region = g.identityRegion;
  const connect = g.platform.kube.RegionOne?.websocket;
  assert.ok(connect);
  const url = (await remote(demo, { remote_console: { protocol: 'vnc', type: 'novnc' } })).body.remote_console.url;
  const checked = await verifyConsoleToken(identityOf(g).keys, tokenOf(url), g.platform.now());
  assert.ok(checked.ok);
  // The same claims for a user with no role in the project.
  const other = { ...checked.claims, sub: '0123456789abcdef0123456789abcdef', groups: [] };
  const join = joinSockets();
  assert.equal(await refusal(openUpstream(connect, region, other, join.upstreamEvents)), `4403 not allowed to open the console of server ${server}`);

  assert.equal((await api(gw, demo, 'POST', `${C}/servers/${server}/action`, { 'os-stop': null })).status, 202);
  await waitStatus(gw, demo, server, 'SHUTOFF');
  const noLog = await api(gw, demo, 'POST', `${C}/servers/${server}/action`, { 'os-getConsoleOutput': { length: 5 } });
  assert.equal(noLog.status, 409);
  const stopped = await remote(demo, { remote_console: { protocol: 'vnc', type: 'novnc' } });
  assert.equal(stopped.status, 409);
  assert.equal(stopped.body.conflictingRequest.message, `Instance ${server} is not ready.`);
  // A token issued while it ran finds it stopped.
  assert.equal(await refusal(openUpstream(connect, region, checked.claims, join.upstreamEvents)), `4409 server ${server} is not running`);
});
