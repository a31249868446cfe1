// Small helpers shared by the controllers.

import { type KubeObject, type OwnerReference, R, type ResourceType, apiVersionOf } from '../../kube/index.ts';
import type { Condition } from './model.ts';

/** Per-object fault injection: `sandbox.dicot.io/fail: "true"` makes the object's lifecycle fail. */
export const FAIL_ANNOTATION = 'sandbox.dicot.io/fail';
export const failRequested = (o: KubeObject | undefined) => o?.metadata.annotations?.[FAIL_ANNOTATION] === 'true';

export const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
export const nsKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export function controllerRef(type: ResourceType, owner: KubeObject): OwnerReference {
  return {
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const ownedBy = (o: KubeObject, owner: KubeObject) =>
  (o.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);

export const controllerOf = (o: KubeObject) => (o.metadata.ownerReferences ?? []).find((r) => r.controller);

export const findCondition = (conds: Condition[] | undefined, type: string) => conds?.find((c) => c.type === type);
export const isTrue = (conds: Condition[] | undefined, type: string) => findCondition(conds, type)?.status === 'True';

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
export function setCondition(conds: Condition[] | undefined, c: Condition): Condition[] {
  const list = [...(conds ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    lastProbeTime: null,
    lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? now()) : now(),
    ...c,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export const removeCondition = (conds: Condition[] | undefined, type: string) => (conds ?? []).filter((c) => c.type !== type);

/** JSON equality for deciding whether a write is needed (key order as produced by the same code). */
export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const KUBEVIRT_GROUP = R.virtualMachines.group;
