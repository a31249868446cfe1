import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  KubeError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../kube/index.ts';
import { type GatewayEnv, serviceOfPath } from './context.ts';
import { ApiFault, faultBody } from './faults.ts';

// The one error mapper: whatever is thrown (an ApiFault, a Kubernetes error, a Hono
// HTTPException from body parsing, a bug) becomes the calling service's fault body.

/** Kubernetes errors → OpenStack faults. Services catch the cases they word themselves. */
export function faultFromKube(err: KubeError): ApiFault {
  if (err instanceof NotFoundError) return new ApiFault(404, err.message);
  if (err instanceof ForbiddenError) return new ApiFault(403, err.message);
  if (err instanceof ConflictError) return new ApiFault(409, err.message);
  if (err instanceof InvalidError) return new ApiFault(400, err.message);
  if (err instanceof TooManyRequestsError) return new ApiFault(503, 'The cluster is busy; retry later.');
  // The gateway's own credential was refused: the region is unusable, not the user's fault.
  if (err instanceof UnauthorizedError) return new ApiFault(503, 'The region is unavailable (cluster credentials rejected).');
  if (err.code >= 500 || err.code === 0) return new ApiFault(503, 'The region is unavailable; retry later.');
  return new ApiFault(err.code >= 400 && err.code < 500 ? err.code : 500, err.message);
}

export function toFault(err: unknown): ApiFault {
  if (err instanceof ApiFault) return err;
  if (err instanceof KubeError) return faultFromKube(err);
  if (err instanceof HTTPException) {
    const message = err.message || (err.status === 413 ? 'Request body too large.' : 'Bad request.');
    return new ApiFault(err.status, message);
  }
  return new ApiFault(500, 'The server has either erred or is incapable of performing the requested operation.');
}

export function renderFault(c: Context<GatewayEnv>, fault: ApiFault): Response {
  const service = c.get('service') ?? serviceOfPath(c.req.path);
  for (const [k, v] of Object.entries(fault.headers)) c.header(k, v);
  if (fault.status === 401 && service === 'identity') {
    c.header('WWW-Authenticate', `Keystone uri="${c.get('baseUrl')}/identity"`);
  }
  if (c.req.method === 'HEAD') return c.body(null, fault.status as 400);
  return c.json(faultBody(service, fault), fault.status as 400);
}

export function onError(err: Error, c: Context<GatewayEnv>): Response {
  const fault = toFault(err);
  if (fault.status >= 500 && !(err instanceof ApiFault)) {
    c.get('gateway')?.platform.log({
      level: 'error',
      msg: 'unhandled error',
      requestId: c.get('requestId'),
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
  }
  return renderFault(c, fault);
}
