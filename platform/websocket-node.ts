import type { IncomingMessage } from 'node:http';
import { createNodeWebSocket } from '@hono/node-ws';
import WebSocket from 'ws';
import type { AcceptWebSocket, ConnectWebSocket, WsData, WsPeer } from '../src/platform.ts';
import { WebSocketRefused } from '../src/platform.ts';
import type { TlsMaterial } from './kube-credentials.ts';
import { honoAcceptor } from './websocket-hono.ts';

// Websockets on Node: accepted with @hono/node-ws (the server's `upgrade` event routed through
// the app), opened with npm `ws` (request headers, subprotocols, the cluster's CA), paused and
// resumed for backpressure.

type Requester = { request(input: URL, init: RequestInit, env: unknown): Response | Promise<Response> };

function peerOf(ws: WebSocket): WsPeer {
  return {
    get protocol() {
      return ws.protocol;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send: (d) => ws.send(d),
    close: (code, reason) => ws.close(code, reason),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}

const dataOf = (data: WebSocket.RawData, isBinary: boolean): WsData => {
  if (!isBinary) return data.toString();
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
};

/** The accept side; `app()` is the gateway (made after the platform), `inject` wires a server. */
export function nodeAcceptor(app: () => Requester): { accept: AcceptWebSocket; inject(server: Parameters<ReturnType<typeof createNodeWebSocket>['injectWebSocket']>[0]): void } {
  const nodeWs = createNodeWebSocket({ app: { request: (input: URL, init: RequestInit, env: unknown) => app().request(input, init, env) } as never });
  return { accept: honoAcceptor(nodeWs.upgradeWebSocket), inject: (server) => nodeWs.injectWebSocket(server) };
}

/** The connect side, trusting the cluster's CA (or presenting its client certificate). */
export function nodeConnector(tls: TlsMaterial = {}): ConnectWebSocket {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of init.headers) headers[k] = k === 'impersonate-group' ? v.split(', ') : v;
      const ws = new WebSocket(url, init.protocols, {
        headers,
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
        ...(tls.insecure ? { rejectUnauthorized: false } : {}),
      });
      ws.binaryType = 'nodebuffer';
      let open = false;
      // Listening from creation: the VNC server speaks first.
      ws.on('message', (data, isBinary) => init.onMessage(dataOf(data, isBinary)));
      ws.on('unexpected-response', (_req, res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => reject(new WebSocketRefused(res.statusCode ?? 502, body)));
        res.on('error', () => reject(new WebSocketRefused(res.statusCode ?? 502, body)));
      });
      ws.on('open', () => {
        open = true;
        resolve(peerOf(ws));
      });
      ws.on('error', (err) => {
        if (!open) reject(err);
      });
      ws.on('close', (code, reason) => {
        if (open) init.onClose(code, reason.toString());
      });
    });
}
