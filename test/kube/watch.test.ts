import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GoneError, ForbiddenError, R, type WatchEvent, createKubeClient } from '../../src/kube/index.ts';
import { fakeFetch, status } from './fake-fetch.ts';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(enc.encode(chunk));
      c.close();
    },
  });
}

function client(...answers: Parameters<typeof fakeFetch>) {
  const fake = fakeFetch(...answers);
  return { c: createKubeClient({ server: 'http://sandbox', fetch: fake.fetch }), requests: fake.requests };
}

async function collect<T>(it: AsyncIterable<WatchEvent<T>>): Promise<WatchEvent<T>[]> {
  const out: WatchEvent<T>[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('watch', () => {
  it('parses events split across chunks, including a multi-byte character', async () => {
    const a = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'é1' } } });
    const b = JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'x' } } });
    const bytes = new TextEncoder().encode(`${a}\n${b}\n`);
    const cut = bytes.indexOf(0xa9); // the second byte of "é"
    const body = new ReadableStream<Uint8Array>({
      start(ctl) {
        ctl.enqueue(bytes.slice(0, cut));
        ctl.enqueue(bytes.slice(cut, cut + 40));
        ctl.enqueue(bytes.slice(cut + 40));
        ctl.close();
      },
    });
    const { c, requests } = client(new Response(body));
    const events = await collect(
      c.watch(R.virtualMachines, {
        namespace: 'p1',
        resourceVersion: '12',
        allowWatchBookmarks: true,
        signal: new AbortController().signal,
      }),
    );
    assert.deepEqual(
      events.map((e) => [e.type, (e.object as { metadata: { name: string } }).metadata.name]),
      [
        ['ADDED', 'é1'],
        ['MODIFIED', 'x'],
      ],
    );
    const q = requests[0]!.url.searchParams;
    assert.equal(q.get('watch'), 'true');
    assert.equal(q.get('resourceVersion'), '12');
    assert.equal(q.get('allowWatchBookmarks'), 'true');
  });

  it('a last line without a newline still counts', async () => {
    const { c } = client(new Response(streamOf(['{"type":"DELETED","object":{"metadata":{}}}'])));
    const events = await collect(c.watch(R.nodes, { signal: new AbortController().signal }));
    assert.equal(events[0]?.type, 'DELETED');
  });

  it('an ERROR event with 410 throws GoneError after the events before it', async () => {
    const gone = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } });
    const { c } = client(new Response(streamOf(['{"type":"ADDED","object":{"metadata":{}}}\n', `${gone}\n`])));
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const e of c.watch(R.nodes, { signal: new AbortController().signal })) seen.push(e.type);
    }, GoneError);
    assert.deepEqual(seen, ['ADDED']);
  });

  it('a refused watch throws the mapped error', async () => {
    const { c } = client(status(403, 'Forbidden', 'cannot watch'));
    await assert.rejects(collect(c.watch(R.nodes, { signal: new AbortController().signal })), ForbiddenError);
  });

  it('stops quietly when the caller aborts', async () => {
    let ctl!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        ctl = c;
      },
    });
    const { c } = client(new Response(body));
    const ac = new AbortController();
    const events: string[] = [];
    const done = (async () => {
      for await (const e of c.watch(R.nodes, { signal: ac.signal })) {
        events.push(e.type);
        ac.abort();
        ctl.error(new DOMException('aborted', 'AbortError'));
      }
    })();
    ctl.enqueue(new TextEncoder().encode('{"type":"ADDED","object":{"metadata":{}}}\n'));
    await done;
    assert.deepEqual(events, ['ADDED']);
  });
});
