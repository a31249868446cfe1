// A LoadBalancer implementation (as MetalLB would be): Services of type LoadBalancer get an
// address from a documentation range (192.0.2.0/24, never contacted).

import { type KubeObject, R } from '../../kube/index.ts';
import type { Controller, Engine, Stage } from './engine.ts';
import { allocate, inRange, rangeOf } from './ipam.ts';
import { failRequested } from './util.ts';

export const LB_POOL = '192.0.2.0/24';

interface Service extends KubeObject {
  spec?: { type?: string; loadBalancerIP?: string; loadBalancerClass?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

export function loadBalancerController(engine: Engine): Controller {
  const name = 'loadbalancer';
  const pool = rangeOf(LB_POOL)!;
  const ipOf = (s: Service) => s.status?.loadBalancer?.ingress?.[0]?.ip;
  const wantsIp = (s: Service) => s.spec?.type === 'LoadBalancer' && !s.spec.loadBalancerClass && !s.metadata.deletionTimestamp && !failRequested(s);
  const write = async (s: Service, loadBalancer: object) =>
    engine.track(
      R.services,
      await engine.client.patchStatus(R.services, s.metadata.name!, { status: { loadBalancer } }, { namespace: s.metadata.namespace, type: 'merge' }),
    );
  const stages: Stage<Service>[] = [
    {
      name: 'assign',
      when: (s) => wantsIp(s) && !ipOf(s),
      delay: (t) => t.loadBalancer,
      async apply(s) {
        const used = engine.list<Service>(R.services).map(ipOf).filter((ip): ip is string => !!ip);
        const wanted = s.spec?.loadBalancerIP;
        const ip = wanted && inRange(pool, wanted) && !used.includes(wanted) ? wanted : allocate(pool, used, 9);
        if (ip) await write(s, { ingress: [{ ip, ipMode: 'VIP' }] });
      },
    },
    {
      name: 'release',
      when: (s) => !wantsIp(s) && !!ipOf(s),
      delay: () => 0,
      apply: (s) => write(s, {}).then(() => {}),
    },
  ];
  return {
    name,
    type: R.services,
    async reconcile(key) {
      const s = engine.get<Service>(R.services, key);
      if (s) await engine.runStages(name, stages, s);
    },
  };
}
