import type { ServerRecord } from '../compute/servers.ts';
import type { AuthContext } from '../core/auth.ts';
import type { Gateway, Region } from '../core/context.ts';
import { kubeGroupName, kubeUserName } from '../identity/model.ts';
import { identityOf } from '../identity/service.ts';
import { type ConnectWebSocket, WebSocketRefused, type WsEvents, type WsPeer } from '../platform.ts';
import { consumeToken, recordToken } from './records.ts';
import { type ConsoleClaims, type ConsoleKind, signConsoleToken, verifyConsoleToken } from './token.ts';

// Console URLs and the proxy's upstream: a token is issued for a running server and recorded
// (single use); the proxy verifies it, consumes the record, and opens the VMI's `vnc` or
// `console` subresource of the region's cluster as the token's user, so Kubernetes RBAC
// decides as for every other call.

export const KUBEVIRT_PROTOCOL = 'plain.kubevirt.io';

/** Where the console of `kind` is reached: the noVNC page, or the serial websocket itself (as Nova's). */
export function consoleUrl(baseUrl: string, region: string, kind: ConsoleKind, token: string): string {
  const root = `${baseUrl}/${encodeURIComponent(region)}/console`;
  const q = `token=${encodeURIComponent(token)}`;
  return kind === 'novnc' ? `${root}/novnc?${q}` : `${root.replace(/^http/, 'ws')}/websocket?${q}`;
}

export async function issueConsoleToken(gateway: Gateway, region: Region, auth: AuthContext, s: ServerRecord, kind: ConsoleKind): Promise<{ token: string; claims: ConsoleClaims }> {
  const id = identityOf(gateway);
  const now = gateway.platform.now();
  const issued = await signConsoleToken(
    id.keys,
    { sub: auth.userId, region: region.name, project: s.projectId, server: s.id, ns: s.namespace, vm: s.object, kind, groups: auth.claims.groups },
    now,
  );
  // The gateway's own client writes the record: a token is refused unless this replica set issued it.
  await recordToken(region.kube, issued.claims, s.vm.metadata.uid as string, now);
  return issued;
}

/** Why a console websocket is refused: a close code (4000–4999, HTTP-like) and a reason. */
export class ConsoleRefused extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Checks the token and consumes it; the claims of a token used for the first time. */
export async function redeemConsoleToken(gateway: Gateway, region: Region, token: string): Promise<ConsoleClaims> {
  const checked = await verifyConsoleToken(identityOf(gateway).keys, token, gateway.platform.now());
  if (!checked.ok) throw new ConsoleRefused(4401, checked.reason === 'expired' ? 'console token expired' : 'console token invalid');
  const { claims } = checked;
  if (claims.region !== region.name) throw new ConsoleRefused(4401, `console token is for region ${claims.region}`);
  if (!(await consumeToken(region.kube, claims))) throw new ConsoleRefused(4401, 'console token already used');
  return claims;
}

/** Opens the VMI's console subresource as the token's user. */
export async function openUpstream(connect: ConnectWebSocket, region: Region, claims: ConsoleClaims, events: WsEvents): Promise<WsPeer> {
  const kube = region.kube.as(kubeUserName(claims.sub), [...claims.groups.map(kubeGroupName), 'system:authenticated']);
  const sub = claims.kind === 'novnc' ? 'vnc' : 'console';
  const path = `/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(claims.ns)}/virtualmachineinstances/${encodeURIComponent(claims.vm)}/${sub}`;
  try {
    return await connect(`${kube.server.replace(/^http/, 'ws')}${path}`, { headers: await kube.headers(), protocols: [KUBEVIRT_PROTOCOL], ...events });
  } catch (e) {
    if (!(e instanceof WebSocketRefused)) throw new ConsoleRefused(4502, 'the cluster console is unreachable');
    if (e.status === 401 || e.status === 403) throw new ConsoleRefused(4403, `not allowed to open the console of server ${claims.server}`);
    if (e.status === 404 || e.status === 409) throw new ConsoleRefused(4409, `server ${claims.server} is not running`);
    throw new ConsoleRefused(4502, `the cluster refused the console (HTTP ${e.status})`);
  }
}
