// What a runtime gives the gateway. Built by platform/<runtime>.ts; nothing under src/
// asks which runtime it is on.

import type { Metrics } from './core/metrics.ts';

/** How to reach one region's Kubernetes API: the options of src/kube's client. */
export interface KubeConnection {
  server: string;
  /** fetch that trusts the cluster's CA (or the sandbox's in-process handler). */
  fetch: typeof fetch;
  /** Bearer token of the gateway's identity; a function so rotated tokens are re-read. */
  token: () => string | undefined | Promise<string | undefined>;
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [key: string]: unknown;
}

export interface Platform {
  /** One connection per configured region, keyed by region name. */
  kube: Record<string, KubeConnection>;
  /** Where structured log lines go (stdout as JSON on servers, console on Workers). */
  log(line: LogLine): void;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now(): number;
  /** Process metrics served at /metrics (server runtimes; a Worker has no process to scrape). */
  metrics?: Metrics;
}

export function jsonLogger(write: (text: string) => void): Platform['log'] {
  return (line) => write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
}
