import type { AcceptWebSocket, ConnectWebSocket, WsData, WsPeer } from '../src/platform.ts';
import { WebSocketRefused } from '../src/platform.ts';

// Websockets on Workers (workerd): a WebSocketPair answers the upgrade (Hono's helper for
// Workers drops the subprotocol and never calls onOpen), and an outbound websocket is a fetch
// of the http(s) URL with `Upgrade: websocket` (ws:// URLs are refused). No backpressure
// control exists at the edge: peers have no pause.

interface EdgeSocket {
  accept(): void;
  send(d: WsData): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', l: (e: { data: WsData }) => void): void;
  addEventListener(type: 'close', l: (e: { code: number; reason: string }) => void): void;
  readonly protocol?: string;
}
declare const WebSocketPair: new () => { 0: EdgeSocket; 1: EdgeSocket };

const peerOf = (ws: EdgeSocket, protocol: string): WsPeer => ({
  protocol,
  bufferedAmount: 0,
  send: (d) => ws.send(d),
  close: (code, reason) => ws.close(code, reason),
});

export const acceptEdgeWebSocket: AcceptWebSocket = (c, events) => {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  server.addEventListener('message', (e) => events.onMessage(e.data));
  server.addEventListener('close', (e) => events.onClose(e.code, e.reason));
  // Frames sent now are queued until the client side is connected.
  events.onOpen(peerOf(server, ''));
  const offered = c.req.header('sec-websocket-protocol')?.split(',')[0]?.trim();
  return new Response(null, { status: 101, webSocket: client, ...(offered ? { headers: { 'Sec-WebSocket-Protocol': offered } } : {}) } as ResponseInit);
};

export const connectEdgeWebSocket: ConnectWebSocket = async (url, init) => {
  const headers = new Headers(init.headers);
  headers.set('Upgrade', 'websocket');
  if (init.protocols.length) headers.set('Sec-WebSocket-Protocol', init.protocols.join(', '));
  const res = await fetch(url.replace(/^ws/, 'http'), { headers });
  const ws = (res as Response & { webSocket?: EdgeSocket | null }).webSocket;
  if (!ws) throw new WebSocketRefused(res.status, await res.text());
  ws.accept();
  // Frames that arrived before accept() are delivered to listeners added now.
  ws.addEventListener('message', (e) => init.onMessage(e.data));
  ws.addEventListener('close', (e) => init.onClose(e.code, e.reason));
  return peerOf(ws, res.headers.get('sec-websocket-protocol') ?? '');
};
