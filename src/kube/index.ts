export { createKubeClient } from './client.ts';
export type {
  DeleteOptions,
  KubeClient,
  KubeClientOptions,
  ListOptions,
  PatchOptions,
  PatchType,
  RequestInitExtra,
  SubresourceOptions,
  WatchOptions,
} from './client.ts';
export * from './errors.ts';
export { R, apiVersionOf } from './resources.ts';
export type { ResourceType } from './resources.ts';
export { DEFAULT_RETRY } from './retry.ts';
export type { RetryPolicy } from './retry.ts';
export type * from './types.ts';
export { queryString, resourcePath } from './url.ts';
export { quantityBytes } from './quantity.ts';
