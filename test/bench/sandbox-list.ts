// Creates 10,000 small VirtualMachines through the API server's fetch handler and times paging
// through them 500 at a time. Prints timings; asserts nothing. `npx tsx test/bench/sandbox-list.ts`

import { createApiServer } from '../../src/sandbox/apiserver/index.ts';

const N = 10_000;
const PAGE = 500;
const server = createApiServer();
server.addToken('bench', { user: 'bench', groups: ['system:masters'] });
await server.start();
const headers = { authorization: 'Bearer bench', 'content-type': 'application/json' };
const base = 'http://sandbox/apis/kubevirt.io/v1/namespaces/default/virtualmachines';

let t = performance.now();
for (let i = 0; i < N; i++) {
  const body = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: `vm-${String(i).padStart(5, '0')}`, labels: { bench: 'yes' } },
    spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {} } } } },
  };
  const res = await server.fetch(new Request(base, { method: 'POST', headers, body: JSON.stringify(body) }));
  if (res.status !== 201) throw new Error(`create ${i}: ${res.status} ${await res.text()}`);
}
console.log(`create ${N} VMs: ${(performance.now() - t).toFixed(0)} ms`);

for (const [label, query] of [
  ['page', ''],
  ['page (label selector)', '&labelSelector=bench%3Dyes'],
] as const) {
  t = performance.now();
  let cont = '';
  let seen = 0;
  let pages = 0;
  do {
    const res = await server.fetch(new Request(`${base}?limit=${PAGE}${query}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, { headers }));
    const list = (await res.json()) as { items: unknown[]; metadata: { continue?: string } };
    seen += list.items.length;
    pages++;
    cont = list.metadata.continue ?? '';
  } while (cont);
  const ms = performance.now() - t;
  console.log(`${label}: ${seen} VMs in ${pages} pages of ${PAGE}: ${ms.toFixed(0)} ms (${(ms / pages).toFixed(1)} ms/page)`);
}
await server.close();
