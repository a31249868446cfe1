import { after, before, describe, test } from 'node:test';
import { serveSandbox } from '../../platform/sandbox-http.ts';
import { type Sandbox, createSandbox } from '../../src/sandbox/index.ts';
import { type Launched, type Runtime, launch } from './launch.ts';
import { scenario } from './scenario.ts';

// The same HTTP scenario against the gateway on Node, Bun (as a script and as the compiled
// executable the container image ships), Deno and workerd, each pointed
// at a sandbox cluster served over HTTP (as a real cluster would be).

const RUNTIMES: Runtime[] = ['node', 'bun', 'bun-exe', 'deno', 'workerd'];

let sandbox: Sandbox;
let kube: { url: string; close(): Promise<void> };

before(async () => {
  sandbox = createSandbox();
  await sandbox.ready;
  kube = await serveSandbox(sandbox, { hostname: '127.0.0.1', port: 0 });
});

after(async () => {
  await kube?.close();
  await sandbox?.close();
});

for (const runtime of RUNTIMES) {
  describe(`runtime ${runtime}`, () => {
    let gw: Launched;
    before(async () => {
      gw = await launch(runtime, [{ region: 'RegionOne', server: kube.url, token: sandbox.gatewayToken }]);
    });
    after(() => gw?.close());
    for (const [name, run] of scenario) {
      test(name, () => run({ url: gw.url, region: 'RegionOne' }));
    }
  });
}
