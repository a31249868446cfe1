// Fault injection for reliability tests: latency, error answers for chosen requests, dropped watches.

import type { RequestAttributes } from '../types.ts';
import { ApiError } from './errors.ts';
import type { Watches } from './watch.ts';

export interface FaultMatch {
  verb?: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface FaultError {
  code: number;
  reason?: string;
  message?: string;
  retryAfterSeconds?: number;
}

export interface FaultInjector {
  /** Adds `ms` of latency to matching requests (all requests without a match); returns an undo. */
  latency(ms: number, match?: FaultMatch): () => void;
  /** The next `times` matching requests (default 1; Infinity for all) answer with this error. */
  fail(match: FaultMatch, error: FaultError, times?: number): () => void;
  /** Ends open watch streams (matching ones, or all); returns how many were dropped. */
  dropWatches(match?: FaultMatch): number;
  /** Removes every latency and error rule. */
  reset(): void;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function matches(m: FaultMatch | undefined, a: Partial<RequestAttributes> | undefined): boolean {
  if (!m) return true;
  if (!a) return Object.keys(m).length === 0;
  return (Object.keys(m) as (keyof FaultMatch)[]).every((k) => {
    const want = m[k];
    const have = k === 'apiGroup' ? a.apiGroup : a[k];
    return want === undefined || want === have;
  });
}

export class Faults implements FaultInjector {
  private latencies: { ms: number; match: FaultMatch | undefined }[] = [];
  private errors: { match: FaultMatch; error: FaultError; left: number }[] = [];

  constructor(private readonly watches: Watches) {}

  latency(ms: number, match?: FaultMatch): () => void {
    const rule = { ms, match };
    this.latencies.push(rule);
    return () => {
      this.latencies = this.latencies.filter((r) => r !== rule);
    };
  }

  fail(match: FaultMatch, error: FaultError, times = 1): () => void {
    const rule = { match, error, left: times };
    this.errors.push(rule);
    return () => {
      this.errors = this.errors.filter((r) => r !== rule);
    };
  }

  dropWatches(match?: FaultMatch): number {
    return this.watches.drop((tag) => matches(match, tag as RequestAttributes | undefined));
  }

  reset(): void {
    this.latencies = [];
    this.errors = [];
  }

  delayFor(a: RequestAttributes | undefined): number {
    let ms = 0;
    for (const r of this.latencies) if (matches(r.match, a)) ms += r.ms;
    return ms;
  }

  /** The injected error for this request, if any (consumes one use). */
  errorFor(a: RequestAttributes | undefined): ApiError | undefined {
    const rule = this.errors.find((r) => r.left > 0 && matches(r.match, a));
    if (!rule) return undefined;
    rule.left--;
    if (rule.left <= 0) this.errors = this.errors.filter((r) => r !== rule);
    const { code, retryAfterSeconds } = rule.error;
    const reason = rule.error.reason ?? REASONS[code] ?? 'InternalError';
    const message = rule.error.message ?? `injected fault: ${reason}`;
    return new ApiError(code, reason, message, retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined);
  }
}
