// Contracts between the sandbox's API server (src/sandbox/apiserver) and its cluster
// behaviour (src/sandbox/cluster: KubeVirt/CDI controllers, seed objects, aggregated APIs).
// The behaviour side talks to the API server only through the Kubernetes HTTP API, so the
// same code can later run against a real kube-apiserver.

import type { KubeObject } from '../kube/index.ts';
import type { RequestAttributes } from '../kube/request-info.ts';

/** Who is calling, after authentication and impersonation. */
export interface Caller {
  user: string;
  groups: string[];
}

/** Request attributes as Kubernetes RBAC sees them. */
export type { RequestAttributes };

/** One entry of an APIResourceList (discovery). */
export interface ApiResource {
  name: string; // plural, or "plural/subresource"
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/**
 * An API group served by something other than the generic store, as an aggregated
 * APIService would be (KubeVirt's subresources.kubevirt.io, CDI's upload.cdi.kubevirt.io).
 * The API server authenticates, authorizes (RBAC on the attributes) and then delegates.
 */
export interface AggregatedApi {
  group: string;
  version: string;
  resources: ApiResource[];
  handle(req: Request, caller: Caller, attrs: RequestAttributes): Promise<Response>;
}

/**
 * A Service's backend inside the sandbox (CDI's upload proxy, KubeVirt's export servers).
 * `path` is the request path after the Service address, with the query string.
 */
export type ServiceHandler = (req: Request, path: string) => Promise<Response>;

/** Finds the backend of Service `name` in `namespace`, if the cluster runs one. */
export type ServiceResolver = (namespace: string, name: string) => ServiceHandler | undefined;

/** A container's log as the kubelet would stream it (`pods/log`); undefined when it has none yet. */
export type PodLogSource = (pod: KubeObject, container: string) => Promise<string | undefined>;
