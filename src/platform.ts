// What a runtime gives the gateway. Built by platform/<runtime>.ts; nothing under src/
// asks which runtime it is on.

import type { Context } from 'hono';
import type { GatewayEnv } from './core/context.ts';
import type { Metrics } from './core/metrics.ts';

/** How to reach one region's Kubernetes API: the options of src/kube's client. */
export interface KubeConnection {
  server: string;
  /** fetch that trusts the cluster's CA (or the sandbox's in-process handler). */
  fetch: typeof fetch;
  /** Bearer token of the gateway's identity; a function so rotated tokens are re-read. */
  token: () => string | undefined | Promise<string | undefined>;
  /** Opens a websocket to this cluster (KubeVirt's vnc/console subresources); absent where the runtime cannot. */
  websocket?: ConnectWebSocket;
}

/** A websocket frame: binary as an ArrayBuffer, text as a string. */
export type WsData = ArrayBuffer | string;

/** One open websocket, whichever runtime made it. */
export interface WsPeer {
  /** The subprotocol both sides agreed on ('' for none). */
  readonly protocol: string;
  send(data: WsData): void;
  close(code?: number, reason?: string): void;
  /** Bytes queued for sending: the proxy stops reading the other side while this is high. */
  readonly bufferedAmount: number;
  /** Stop / restart reading from the network, where the runtime can (backpressure). */
  pause?(): void;
  resume?(): void;
}

/** What happens on a peer; given when the socket is made, so no early frame is lost. */
export interface WsEvents {
  onMessage(data: WsData): void;
  onClose(code: number, reason: string): void;
}

/** The server refused the upgrade: its HTTP status and body (a metav1.Status from Kubernetes). */
export class WebSocketRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`websocket refused: HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''}`);
  }
}

/** Outbound websocket with request headers (credentials, impersonation) and subprotocols. */
export type ConnectWebSocket = (url: string, init: WsEvents & { headers: Headers; protocols: string[] }) => Promise<WsPeer>;

/** Accepts the request's websocket upgrade; `onOpen` gets the browser side. */
export type AcceptWebSocket = (c: Context<GatewayEnv>, events: WsEvents & { onOpen(peer: WsPeer): void }) => Response | Promise<Response>;

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
  /** Accepts websocket upgrades (the console proxy); absent where the runtime cannot. */
  acceptWebSocket?: AcceptWebSocket;
  /** Browser assets of the console pages (noVNC, xterm) by path under their package; undefined when absent. */
  consoleAsset?(path: string): Promise<string | undefined>;
}

export function jsonLogger(write: (text: string) => void): Platform['log'] {
  return (line) => write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
}
