// metav1.Status → typed errors. One base class; subclasses so callers can `instanceof`
// the cases they handle (NotFound, Conflict...) and let the rest propagate.

import type { Status, StatusCause } from './types.ts';

export class KubeError extends Error {
  override name = 'KubeError';
  readonly code: number;
  readonly reason: string;
  readonly details: Status['details'];
  constructor(code: number, reason: string, message: string, details?: Status['details']) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
  /** The metav1.Status this error stands for (what an API server would have sent). */
  toStatus(): Status {
    return {
      apiVersion: 'v1',
      kind: 'Status',
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export class BadRequestError extends KubeError {
  override name = 'BadRequestError';
}
export class UnauthorizedError extends KubeError {
  override name = 'UnauthorizedError';
}
export class ForbiddenError extends KubeError {
  override name = 'ForbiddenError';
}
export class NotFoundError extends KubeError {
  override name = 'NotFoundError';
}
/** 409 for a resourceVersion mismatch or a state conflict. */
export class ConflictError extends KubeError {
  override name = 'ConflictError';
}
/** 409 with reason AlreadyExists (create of an existing name). */
export class AlreadyExistsError extends ConflictError {
  override name = 'AlreadyExistsError';
}
/** 410: a watch or continue token older than the server's history; re-list. */
export class GoneError extends KubeError {
  override name = 'GoneError';
}
/** 422 with field causes. */
export class InvalidError extends KubeError {
  override name = 'InvalidError';
  get causes(): StatusCause[] {
    return this.details?.causes ?? [];
  }
}
export class TooManyRequestsError extends KubeError {
  override name = 'TooManyRequestsError';
}
/** 502/503/504 or no answer at all (network error). */
export class UnavailableError extends KubeError {
  override name = 'UnavailableError';
}
/** The client gave up waiting (timeoutMs); a kind of unavailability. */
export class TimeoutError extends UnavailableError {
  override name = 'TimeoutError';
}

const byCode: Record<number, typeof KubeError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  410: GoneError,
  422: InvalidError,
  429: TooManyRequestsError,
  502: UnavailableError,
  503: UnavailableError,
  504: UnavailableError,
};

const defaultReason: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The error for a Status (from a response body or a watch ERROR event). */
export function errorFromStatus(status: Partial<Status>, httpCode?: number): KubeError {
  const code = status.code ?? httpCode ?? 500;
  const reason = status.reason || defaultReason[code] || 'Unknown';
  const message = status.message || reason;
  const Cls = code === 409 && reason === 'AlreadyExists' ? AlreadyExistsError : (byCode[code] ?? KubeError);
  return new Cls(code, reason, message, status.details);
}

/** The error for a non-2xx response; the body may be a Status, other JSON, or text. */
export async function errorFromResponse(res: Response): Promise<KubeError> {
  const text = await res.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && (parsed as { kind?: unknown }).kind === 'Status') {
    return errorFromStatus(parsed as Status, res.status);
  }
  const message = text.trim().slice(0, 1000) || res.statusText || `HTTP ${res.status}`;
  return errorFromStatus({ code: res.status, message }, res.status);
}
