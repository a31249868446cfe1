import { join } from 'node:path';
import WebSocket from 'ws';

// What the console tests share: where screenshots are kept (git-ignored), and a websocket
// conversation with a serial console.

export const ARTIFACTS = join(import.meta.dirname, '.artifacts');

/** Opens a websocket and collects text until `until` matches or it closes. */
export function converse(url: string, send: string[] = [], until?: RegExp): Promise<{ text: string; code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let text = '';
    let sent = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no answer from ${url}: ${JSON.stringify(text.slice(-200))}`));
    }, 15_000);
    ws.on('message', (d) => {
      text += d.toString();
      if (!sent && /login: $/.test(text)) {
        sent = true;
        for (const s of send) ws.send(Buffer.from(s));
      }
      if (until?.test(text)) ws.close(1000, 'done');
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ text, code, reason: reason.toString() });
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

