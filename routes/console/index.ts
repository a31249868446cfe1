import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { joinSockets } from '../../src/console/pipe.ts';
import { ConsoleRefused, openUpstream, redeemConsoleToken } from '../../src/console/service.ts';
import type { GatewayEnv } from '../../src/core/context.ts';
import { badRequest, notFound, notImplemented } from '../../src/core/faults.ts';
import { NOVNC_PAGE, SERIAL_PAGE, assetOf } from './pages.ts';

// `/<region>/console`: the pages a console URL opens, their assets, and the websocket proxy
// to the VMI's `vnc` / `console` subresource. The token in the query string is the only
// credential (browsers cannot send X-Auth-Token on a websocket).

const TokenQuery = z.object({ token: z.string().optional().openapi({ description: 'Console token from the compute API' }) });
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

const novnc = createRoute({
  method: 'get',
  path: '/novnc',
  tags: ['console'],
  summary: 'noVNC page of a server console',
  request: { query: TokenQuery },
  responses: { 200: html('The noVNC page; it opens websocket?token=...') },
});
const serial = createRoute({
  method: 'get',
  path: '/serial',
  tags: ['console'],
  summary: 'Serial terminal page (xterm) of a server console',
  request: { query: TokenQuery },
  responses: { 200: html('The terminal page; it opens websocket?token=...') },
});
const asset = createRoute({
  method: 'get',
  path: '/assets/{path}',
  tags: ['console'],
  summary: 'noVNC and xterm files of the console pages',
  request: { params: z.object({ path: z.string().openapi({ param: { name: 'path', in: 'path' } }) }) },
  responses: { 200: { description: 'JavaScript module or stylesheet' }, 404: { description: 'No such asset' } },
});
const websocket = createRoute({
  method: 'get',
  path: '/websocket',
  tags: ['console'],
  summary: "Websocket to the server's VNC (RFB) or serial console, as the token says",
  description:
    'Refusals close the websocket with a code and reason: 4401 (token invalid, expired, already used or for another region), 4403 (Kubernetes RBAC refused the console to the user), 4409 (server not running), 4502 (cluster unreachable).',
  request: { query: TokenQuery },
  responses: { 101: { description: 'Switching protocols' }, 400: { description: 'Not a websocket upgrade' }, 501: { description: 'This runtime cannot proxy websockets' } },
});

export const consoleRoutes = new OpenAPIHono<GatewayEnv>({ strict: false });
consoleRoutes.openapi(novnc, (c) => c.html(NOVNC_PAGE));
consoleRoutes.openapi(serial, (c) => c.html(SERIAL_PAGE));
// Asset paths have slashes: a wildcard route serves them; the documented route names the shape.
consoleRoutes.get('/assets/*', async (c) => {
    const path = c.req.path.replace(/^.*?\/console\/assets\//, '');
    const a = assetOf(path);
    const text = a && (await c.get('gateway').platform.consoleAsset?.(`${a.pkg}/${a.file}`));
    if (!a || text === undefined) throw notFound(`No console asset ${path}.`);
    return c.body(text, 200, { 'content-type': a.type, 'cache-control': 'public, max-age=3600' });
});
consoleRoutes.openapi(asset, () => {
  throw notFound('No console asset.');
});
consoleRoutes.openapi(websocket, async (c) => {
    const gateway = c.get('gateway');
    const region = c.get('region');
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') throw badRequest('A websocket upgrade is required.');
    const accept = gateway.platform.acceptWebSocket;
    const connect = gateway.platform.kube[region.name]?.websocket;
    if (!accept || !connect) throw notImplemented('Consoles are not available on this runtime.');
    const join = joinSockets();
    let refused: ConsoleRefused | undefined;
    // Token and upstream first: a refusal is then a close with a reason the browser can read.
    try {
      const claims = await redeemConsoleToken(gateway, region, c.req.valid('query').token ?? '');
      join.setUpstream(await openUpstream(connect, region, claims, join.upstreamEvents));
    } catch (e) {
      if (!(e instanceof ConsoleRefused)) throw e;
      refused = e;
    }
    return (await accept(c, {
      ...join.browserEvents,
      onOpen(peer) {
        if (refused) peer.close(refused.code, refused.reason);
        else join.open(peer);
      },
    })) as never;
 });
