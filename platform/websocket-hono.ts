import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { AcceptWebSocket, ConnectWebSocket, WsData, WsPeer } from '../src/platform.ts';
import { WebSocketRefused } from '../src/platform.ts';

// What the server runtimes share for websockets: accepting through Hono's helper for the
// runtime (@hono/node-ws, hono/bun, hono/deno), and, for Bun and Deno, opening upstream with
// their WebSocket constructor, which takes request headers (not in the web standard).

interface RawSocket {
  bufferedAmount?: number;
  getBufferedAmount?(): number;
  pause?(): void;
  resume?(): void;
}

function peerOf(ws: WSContext): WsPeer {
  const raw = ws.raw as RawSocket | undefined;
  return {
    protocol: ws.protocol ?? '',
    get bufferedAmount() {
      return raw?.getBufferedAmount?.() ?? raw?.bufferedAmount ?? 0;
    },
    send: (d) => ws.send(d),
    close: (code, reason) => ws.close(code, reason),
    ...(raw?.pause && raw.resume ? { pause: () => raw.pause?.(), resume: () => raw.resume?.() } : {}),
  };
}

export function honoAcceptor(upgradeWebSocket: UpgradeWebSocket): AcceptWebSocket {
  return async (c, events) => {
    const upgrade = upgradeWebSocket(() => ({
      onOpen: (_e, ws) => events.onOpen(peerOf(ws)),
      onMessage: (e) => events.onMessage(e.data as WsData),
      onClose: (e) => events.onClose(e.code, e.reason),
    }));
    const res = await upgrade(c as never, async () => {});
    return res ?? c.text('A websocket upgrade is required.', 400);
  };
}

/**
 * Bun's and Deno's `new WebSocket(url, { headers, protocols, ... })`. Neither says why an
 * upgrade failed beyond its error message, so the HTTP status is read from it when present.
 */
export function runtimeConnector(extra: Record<string, unknown> = {}): ConnectWebSocket {
  const Ctor = WebSocket as unknown as new (url: string, init: object) => WebSocket;
  return (url, init) =>
    new Promise((resolve, reject) => {
      const ws = new Ctor(url, { headers: Object.fromEntries(init.headers), protocols: init.protocols, ...extra });
      ws.binaryType = 'arraybuffer';
      let open = false;
      // Listening from creation: the VNC server speaks first.
      ws.addEventListener('message', (e) => init.onMessage(e.data as WsData));
      ws.addEventListener('open', () => {
        open = true;
        resolve({
          get protocol() {
            return ws.protocol;
          },
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
          send: (d) => ws.send(d),
          close: (code, reason) => ws.close(code, reason),
        });
      });
      ws.addEventListener('error', (e) => {
        if (open) return;
        const message = String((e as ErrorEvent).message ?? '');
        const status = /\b([1-5]\d\d)\b/.exec(message);
        reject(new WebSocketRefused(status ? Number(status[1]) : 502, message));
      });
      ws.addEventListener('close', (e) => {
        if (open) init.onClose(e.code, e.reason);
        else reject(new WebSocketRefused(502, e.reason));
      });
    });
}
