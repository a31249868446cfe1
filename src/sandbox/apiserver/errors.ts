// metav1.Status errors, worded exactly as kube-apiserver words them
// (k8s.io/apimachinery/pkg/api/errors), so clients can match on reason and message.

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface GroupResource {
  group: string;
  resource: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    const status: Record<string, unknown> = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
    };
    if (this.details) status.details = this.details;
    status.code = this.code;
    return status;
  }
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function details(gr: GroupResource, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name) d.name = name;
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

export const notFound = (gr: GroupResource, name: string) =>
  new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, details(gr, name));

export const alreadyExists = (gr: GroupResource, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, details(gr, name));

export const conflict = (gr: GroupResource, name: string, why: string) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, details(gr, name));

export const MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export function forbidden(gr: GroupResource, name: string | undefined, why: string, causes?: StatusCause[]) {
  const prefix = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  const d = details(gr, name);
  if (causes) d.causes = causes;
  return new ApiError(403, 'Forbidden', `${prefix} is forbidden: ${why}`, d);
}

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

export const methodNotAllowed = () =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

export const notFoundPath = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export const unsupportedMediaType = (accepted: string[]) =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

export const expired = (message: string) => new ApiError(410, 'Expired', message);

export const internalError = (message: string) =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ reason: '', message }],
  });

/** One field error, as field.Error renders it. */
export interface FieldError {
  type: 'Invalid' | 'Required' | 'Forbidden' | 'NotSupported' | 'Duplicate';
  field: string;
  detail: string;
  value?: unknown;
}

const CAUSE_REASON: Record<FieldError['type'], string> = {
  Invalid: 'FieldValueInvalid',
  Required: 'FieldValueRequired',
  Forbidden: 'FieldValueForbidden',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
};

const TYPE_TEXT: Record<FieldError['type'], string> = {
  Invalid: 'Invalid value',
  Required: 'Required value',
  Forbidden: 'Forbidden',
  NotSupported: 'Unsupported value',
  Duplicate: 'Duplicate value',
};

function fieldErrorBody(e: FieldError): string {
  const parts = [TYPE_TEXT[e.type]];
  if (e.type === 'Invalid' || e.type === 'Duplicate' || e.type === 'NotSupported') {
    parts.push(typeof e.value === 'string' ? JSON.stringify(e.value) : JSON.stringify(e.value ?? null));
  }
  if (e.detail) parts.push(e.detail);
  return parts.join(': ');
}

/** 422 Invalid, e.g. `ConfigMap "X" is invalid: metadata.name: Invalid value: "X": ...`. */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): ApiError {
  const rendered = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  const causes = errs.map((e) => ({ reason: CAUSE_REASON[e.type], message: fieldErrorBody(e), field: e.field }));
  const d: StatusDetails = group ? { name, group, kind, causes } : { name, kind, causes };
  return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, d);
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return internalError(err instanceof Error ? err.message : String(err));
}
