// Bearer-token authentication and impersonation (k8s.io/apiserver/pkg/endpoints/filters).

import type { Caller } from '../types.ts';
import { ApiError, forbidden, unauthorized } from './errors.ts';
import { type Authorizer, forbiddenReason } from './rbac.ts';

const WS_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

function bearerToken(req: Request): string | undefined {
  const h = req.headers.get('authorization');
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  if (m) return m[1];
  // Browsers cannot set headers on websockets; kube-apiserver accepts the token as a subprotocol.
  for (const p of (req.headers.get('sec-websocket-protocol') ?? '').split(',')) {
    const proto = p.trim();
    if (proto.startsWith(WS_PROTOCOL_PREFIX)) {
      try {
        const b64 = proto.slice(WS_PROTOCOL_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/');
        return atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export class Authenticator {
  private readonly tokens = new Map<string, Caller>();

  add(token: string, caller: Caller): void {
    this.tokens.set(token, { user: caller.user, groups: withAuthenticated(caller.groups) });
  }

  authenticate(req: Request): Caller {
    const token = bearerToken(req);
    const caller = token === undefined ? undefined : this.tokens.get(token);
    if (!caller) throw unauthorized();
    return caller;
  }
}

function withAuthenticated(groups: string[]): string[] {
  return groups.includes('system:authenticated') ? [...groups] : [...groups, 'system:authenticated'];
}

const SA_PREFIX = 'system:serviceaccount:';

function headerValues(req: Request, name: string): string[] {
  const v = req.headers.get(name);
  return v === null ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Applies Impersonate-* headers, checking the `impersonate` verb for each thing asked for. */
export function impersonate(req: Request, caller: Caller, authz: Authorizer): Caller {
  const user = req.headers.get('impersonate-user');
  const groups = headerValues(req, 'impersonate-group');
  const uid = req.headers.get('impersonate-uid');
  const extras: [string, string][] = [];
  req.headers.forEach((value, key) => {
    if (key.toLowerCase().startsWith('impersonate-extra-')) extras.push([key.slice('impersonate-extra-'.length), value]);
  });
  if (user === null) {
    if (groups.length || uid !== null || extras.length) {
      throw new ApiError(500, 'InternalError', 'Internal error occurred: requested impersonation of groups, uid or extra without impersonating a user');
    }
    return caller;
  }
  const check = (apiGroup: string, resource: string, name: string, namespace?: string, subresource?: string) => {
    const attrs = {
      verb: 'impersonate',
      apiGroup,
      apiVersion: 'v1',
      resource,
      name,
      ...(namespace ? { namespace } : {}),
      ...(subresource ? { subresource } : {}),
    };
    if (!authz.authorize(caller, attrs).allowed) {
      throw forbidden({ group: apiGroup, resource }, name, forbiddenReason(caller, attrs));
    }
  };
  const out: string[] = [];
  if (user.startsWith(SA_PREFIX)) {
    const [ns, name] = user.slice(SA_PREFIX.length).split(':');
    check('', 'serviceaccounts', name ?? '', ns);
    out.push('system:serviceaccounts', `system:serviceaccounts:${ns}`);
  } else check('', 'users', user);
  for (const g of groups) {
    check('', 'groups', g);
    if (!out.includes(g)) out.push(g);
  }
  if (uid !== null) check('authentication.k8s.io', 'uids', uid);
  for (const [key, value] of extras) check('authentication.k8s.io', 'userextras', value, undefined, key);
  return { user, groups: user === 'system:anonymous' ? out : withAuthenticated(out) };
}
