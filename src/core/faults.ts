// One exception type for every OpenStack-visible error, rendered in one place in the
// format of the service that raised it.

export type Service = 'identity' | 'compute' | 'image' | 'network' | 'volume' | 'gateway';

export interface FaultOptions {
  /** Neutron's exception name (`NetworkNotFound`); other services ignore it. */
  type?: string;
  headers?: Record<string, string>;
}

export class ApiFault extends Error {
  readonly status: number;
  readonly type: string | undefined;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, opts: FaultOptions = {}) {
    super(message);
    this.name = 'ApiFault';
    this.status = status;
    this.type = opts.type;
    this.headers = opts.headers ?? {};
  }
}

export const badRequest = (msg: string, opts?: FaultOptions) => new ApiFault(400, msg, opts);
export const unauthorized = (msg = 'The request you have made requires authentication.', opts?: FaultOptions) =>
  new ApiFault(401, msg, opts);
export const forbidden = (msg: string, opts?: FaultOptions) => new ApiFault(403, msg, opts);
export const notFound = (msg: string, opts?: FaultOptions) => new ApiFault(404, msg, opts);
export const conflict = (msg: string, opts?: FaultOptions) => new ApiFault(409, msg, opts);
export const notImplemented = (msg: string, opts?: FaultOptions) => new ApiFault(501, msg, opts);
export const unavailable = (msg: string, opts?: FaultOptions) => new ApiFault(503, msg, opts);

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const statusTitle = (status: number) => TITLES[status] ?? 'Error';

// nova/api/openstack/wsgi.py and cinder/api/openstack/wsgi.py: Fault._fault_names.
const NOVA_FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

// Neutron names webob's exception when no specific one applies.
const NEUTRON_DEFAULT_TYPES: Record<number, string> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  409: 'HTTPConflict',
  413: 'HTTPRequestEntityTooLarge',
  415: 'HTTPUnsupportedMediaType',
  501: 'HTTPNotImplemented',
  503: 'HTTPServiceUnavailable',
};

/** The fault body each OpenStack service sends for this status and message. */
export function faultBody(service: Service, fault: ApiFault): unknown {
  const { status, message } = fault;
  switch (service) {
    case 'compute':
    case 'volume':
      return { [NOVA_FAULT_NAMES[status] ?? 'computeFault']: { code: status, message } };
    case 'network':
      return {
        NeutronError: { type: fault.type ?? NEUTRON_DEFAULT_TYPES[status] ?? 'HTTPInternalServerError', message, detail: '' },
      };
    case 'image':
      // webob's JSON error body, which Glance sends to JSON clients.
      return { code: `${status} ${statusTitle(status)}`, title: statusTitle(status), message };
    default:
      return { error: { code: status, title: statusTitle(status), message } };
  }
}
