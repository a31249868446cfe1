// Serves a sandbox's Kubernetes API over HTTP or HTTPS (for kubectl and out-of-process clients).
// kubectl (client-go's clientcmd) sends credentials and impersonation headers only over TLS,
// so kubectl needs HTTPS; `selfSignedTls()` makes a throwaway certificate for that.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { PROTOCOL } from '../src/sandbox/cluster/consoles.ts';
import { upgrades } from '../src/sandbox/index.ts';
import { stringify } from 'yaml';

interface Servable {
  fetch(req: Request): Promise<Response>;
}

export interface ServedSandbox {
  url: string;
  /** PEM of the serving certificate (HTTPS only), for a kubeconfig's certificate-authority-data. */
  caPem?: string;
  close(): Promise<void>;
}

export interface TlsMaterial {
  key: string;
  cert: string;
}

/** A self-signed certificate for 127.0.0.1/localhost, made with the openssl CLI. */
export async function selfSignedTls(): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'dicot-tls-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
      '-subj', '/CN=dicot-sandbox', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      '-keyout', key, '-out', cert,
    ]);
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function serveSandbox(
  sandbox: Servable,
  opts: { hostname: string; port: number; tls?: TlsMaterial },
): Promise<ServedSandbox> {
  const tls = opts.tls;
  return new Promise((resolve, reject) => {
    const options = {
      fetch: (req: Request) => sandbox.fetch(req),
      hostname: opts.hostname,
      port: opts.port,
      ...(tls ? { createServer: createHttpsServer, serverOptions: { key: tls.key, cert: tls.cert } } : {}),
    };
    const server = serve(options, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `${tls ? 'https' : 'http'}://${host}:${info.port}`,
        ...(tls ? { caPem: tls.cert } : {}),
        close: () =>
          new Promise<void>((done) => {
            // Open watch streams would keep close() waiting forever.
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
    server.on('upgrade', (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgradeSandbox(sandbox, incoming, socket, head, tls !== undefined).catch(() => socket.destroy());
    });
  });
}

const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false) });

/**
 * A websocket upgrade (KubeVirt's vnc/console subresources): the sandbox authenticates and
 * authorizes it as a GET; when its handler accepts, the socket is bridged to the console.
 * Otherwise the sandbox's HTTP answer (a metav1.Status) goes back as is.
 */
async function upgradeSandbox(sandbox: Servable, incoming: IncomingMessage, socket: Duplex, head: Buffer, secure: boolean): Promise<void> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(incoming.headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  const req = new Request(`${secure ? 'https' : 'http'}://${incoming.headers.host ?? 'sandbox'}${incoming.url ?? '/'}`, { headers });
  let accepted = false;
  upgrades.set(req, (server) => {
    accepted = true;
    wss.handleUpgrade(incoming, socket, head, (ws) => {
      const events = server({
        get protocol() {
          return ws.protocol;
        },
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        send: (d) => ws.send(d),
        close: (code, reason) => ws.close(code, reason),
      });
      ws.on('message', (data, isBinary) => {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        events.onMessage(isBinary ? (buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer) : buf.toString());
      });
      ws.on('close', (code, reason) => events.onClose(code, reason.toString()));
    });
  });
  const res = await sandbox.fetch(req);
  if (accepted) return;
  const body = Buffer.from(await res.text());
  socket.end(
    `HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? ''}\r\nContent-Type: ${res.headers.get('content-type') ?? 'application/json'}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A kubeconfig with one cluster, user and context, for kubectl against the sandbox. */
export async function writeKubeconfig(path: string, url: string, token: string, caPem?: string): Promise<void> {
  const cluster: Record<string, unknown> = { server: url };
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'dicot-sandbox', cluster }],
    users: [{ name: 'dicot-sandbox-admin', user: { token } }],
    contexts: [{ name: 'dicot-sandbox', context: { cluster: 'dicot-sandbox', user: 'dicot-sandbox-admin', namespace: 'default' } }],
    'current-context': 'dicot-sandbox',
    preferences: {},
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(doc), { mode: 0o600 });
}
