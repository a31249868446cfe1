import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { GatewayEnv } from './context.ts';
import { ApiFault } from './faults.ts';

/**
 * Caps request bodies (413 in the service's format). Binary uploads (image data) stream
 * and are exempt: their size is bounded by the storage they go to, not by memory.
 */
export function requestBodyLimit(maxSize: number): MiddlewareHandler<GatewayEnv> {
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiFault(413, `Request body is larger than ${maxSize} bytes.`);
    },
  });
  return (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (type.startsWith('application/octet-stream')) return next();
    return limit(c, next);
  };
}
