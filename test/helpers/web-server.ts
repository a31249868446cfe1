import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server answering `data` on every path but `missing` ones (404): image sources for web-download. */
export async function serveBytes(data: Uint8Array, missing: string[] = []): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    if (missing.includes(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) });
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(data));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}
