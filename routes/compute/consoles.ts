import { createRoute, z } from '@hono/zod-openapi';
import { actionAnnotations } from '../../src/compute/server-store.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import { tokenUnused } from '../../src/console/records.ts';
import { consoleUrl, issueConsoleToken } from '../../src/console/service.ts';
import { type ConsoleKind, verifyConsoleToken } from '../../src/console/token.ts';
import { badRequest, conflict, notFound } from '../../src/core/faults.ts';
import { identityOf } from '../../src/identity/service.ts';
import type { ActionHandler } from './actions/context.ts';
import { type Ctx, authOf, parseBody, requireAdmin, router, versionOf } from './common.ts';
import { body, json } from './schemas/common.ts';
import { loadServer, serverStore } from './server-common.ts';

// Remote consoles: `POST /servers/{id}/remote-consoles` (2.6+), the legacy actions
// os-getVNCConsole / os-getSerialConsole, and `GET /os-console-auth-tokens/{token}` (admin).
// Only noVNC and serial exist on KubeVirt; Nova's other types answer Nova's 400.

const tags = ['compute: consoles'];

const PROTOCOLS = ['vnc', 'spice', 'rdp', 'serial', 'mks'] as const;
const TYPES = ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'serial', 'webmks'] as const;
/** The protocol each type belongs to (Nova's handlers per protocol). */
const PROTOCOL_OF: Record<string, string> = { novnc: 'vnc', xvpvnc: 'vnc', 'spice-html5': 'spice', 'rdp-html5': 'rdp', serial: 'serial', webmks: 'mks' };

const RemoteConsoleBody = z
  .object({ remote_console: z.object({ protocol: z.enum(PROTOCOLS), type: z.enum(TYPES) }).strict() })
  .strict()
  .openapi('RemoteConsoleRequest');
const RemoteConsole = z.object({ remote_console: z.object({ protocol: z.string(), type: z.string(), url: z.string() }) }).openapi('RemoteConsole');
const ConnectInfo = z
  .object({ console: z.object({ instance_uuid: z.string(), host: z.string(), port: z.number(), internal_access_path: z.string().nullable() }) })
  .openapi('ConsoleConnectInfo');

/** Nova's answers for a console type KubeVirt does not have, or a type of another protocol. */
function kindOf(protocol: string, type: string): ConsoleKind {
  if (PROTOCOL_OF[type] !== protocol) throw badRequest(`Invalid console type ${type}`);
  if (type !== 'novnc' && type !== 'serial') throw badRequest(`Unavailable console type ${type}.`);
  return type;
}

/** A console of a running server, recorded in its instance actions; the URL to open it. */
async function createConsole(c: Ctx, s: ServerRecord, kind: ConsoleKind): Promise<string> {
  const auth = authOf(c);
  if (s.vmi?.status?.phase !== 'Running') throw conflict(`Instance ${s.id} is not ready.`);
  const { token } = await issueConsoleToken(c.get('gateway'), c.get('region'), auth, s, kind);
  // Recorded only when no task is in flight, so a console never closes another action's entry.
  if (s.state.taskState === null) {
    const at = new Date().toISOString();
    const action = kind === 'novnc' ? 'get_vnc_console' : 'get_serial_console';
    await serverStore(c).annotate(s, actionAnnotations(s, { action, requestId: c.get('requestId'), userId: auth.userId, projectId: auth.projectId ?? '', at }));
  }
  return consoleUrl(c.get('baseUrl'), c.get('region').name, kind, token);
}

const LegacyBody = z.object({ type: z.string() }).loose();
const legacy =
  (protocol: 'vnc' | 'serial'): ActionHandler =>
  async (a) => {
    const { type } = parseBody(LegacyBody, a.body);
    const kind = kindOf(protocol, type);
    const url = await createConsole(a.c, a.s, kind);
    return a.c.json({ console: { type, url } }, 200);
  };

export const consoleActions: Record<string, ActionHandler> = {
  'os-getVNCConsole': legacy('vnc'),
  'os-getSerialConsole': legacy('serial'),
};

const create = createRoute({
  method: 'post',
  path: '/servers/{server_id}/remote-consoles',
  tags,
  summary: 'Create a remote console (2.6+): vnc/novnc or serial/serial',
  request: { params: z.object({ server_id: z.string().min(1) }), ...body(RemoteConsoleBody) },
  responses: { 200: json(RemoteConsole, 'The console URL (short-lived, single use)') },
});
const connectInfo = createRoute({
  method: 'get',
  path: '/os-console-auth-tokens/{token}',
  tags,
  summary: 'Connection info of a console token (admin)',
  request: { params: z.object({ token: z.string().min(1) }) },
  responses: { 200: json(ConnectInfo, 'Where the console is reached in the cluster') },
});

export const consoleRoutes = router()
  .openapi(create, async (c) => {
    if (!versionOf(c).atLeast('2.6')) throw notFound('The resource could not be found.');
    const { protocol, type } = c.req.valid('json').remote_console;
    const kind = kindOf(protocol, type);
    const s = await loadServer(c, c.req.valid('param').server_id);
    const url = await createConsole(c, s, kind);
    return c.json({ remote_console: { protocol, type, url } }, 200);
  })
  .openapi(connectInfo, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-console-auth-tokens');
    // Before 2.31 Nova answers only for RDP tokens, which KubeVirt has none of.
    if (!versionOf(c).atLeast('2.31')) throw badRequest('The requested console type details are not accessible');
    const token = c.req.valid('param').token;
    const gateway = c.get('gateway');
    const region = c.get('region');
    const checked = await verifyConsoleToken(identityOf(gateway).keys, token, gateway.platform.now());
    if (!checked.ok || checked.claims.region !== region.name || !(await tokenUnused(region.kube, checked.claims)))
      throw notFound('The token has expired or is invalid.');
    const { claims } = checked;
    const server = new URL(region.kube.server);
    const port = Number(server.port || (server.protocol === 'https:' ? 443 : 80));
    const sub = claims.kind === 'novnc' ? 'vnc' : 'console';
    const path = `/apis/subresources.kubevirt.io/v1/namespaces/${claims.ns}/virtualmachineinstances/${claims.vm}/${sub}`;
    return c.json({ console: { instance_uuid: claims.server, host: server.hostname, port, internal_access_path: path } }, 200);
  });
