// Watch streams: newline-delimited JSON `{type, object}` events over a response body.

import { GoneError, errorFromStatus } from './errors.ts';
import type { Status, WatchEvent } from './types.ts';

/** Splits a byte stream into lines, however the chunks cut them. */
export async function* ndjsonLines(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  // Not every fetch ends the body when its signal aborts (an in-process handler's stream
  // does not): cancel the read ourselves so an aborted watch always ends.
  const onAbort = () => {
    reader.cancel().catch(() => {});
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) yield line;
        nl = buffer.indexOf('\n');
      }
    }
    const rest = (buffer + decoder.decode()).trim();
    if (rest) yield rest;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Early exit (break, abort): release the connection.
    await reader.cancel().catch(() => {});
  }
}

/** Watch events from a body; an ERROR event ends the stream with its error (410 → GoneError). */
export async function* watchEvents<T>(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<WatchEvent<T>> {
  for await (const line of ndjsonLines(body, signal)) {
    const event = JSON.parse(line) as { type: string; object: unknown };
    if (event.type === 'ERROR') {
      const status = (event.object ?? {}) as Partial<Status>;
      if (status.code === 410) throw new GoneError(410, status.reason || 'Expired', status.message || 'watch expired');
      throw errorFromStatus(status);
    }
    yield event as WatchEvent<T>;
  }
}
