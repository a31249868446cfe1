import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinSockets, sendableCode, sendableReason } from '../../src/console/pipe.ts';
import type { WsData, WsPeer } from '../../src/platform.ts';

// The proxy's join of two websockets: frames held until the browser side opens, closes passed
// on with codes a script may send, and reading paused while the far side's queue is high.

function fakePeer(buffered = () => 0) {
  const sent: WsData[] = [];
  const log: string[] = [];
  const peer: WsPeer = {
    protocol: '',
    get bufferedAmount() {
      return buffered();
    },
    send: (d) => sent.push(d),
    close: (code, reason) => log.push(`close ${code} ${reason}`),
    pause: () => log.push('pause'),
    resume: () => log.push('resume'),
  };
  return { peer, sent, log };
}

test('close codes and reasons the WebSocket API accepts', () => {
  assert.deepEqual([1000, 1001, 1005, 1006, 1011, 3000, 4401, 4999, 5000].map(sendableCode), [1000, 1000, 1000, 1000, 1000, 3000, 4401, 4999, 1000]);
  assert.equal(new TextEncoder().encode(sendableReason('é'.repeat(100))).length, 122);
});

test('upstream frames before the browser opens are held, then delivered in order; closes travel both ways', () => {
  const join = joinSockets();
  const up = fakePeer();
  join.setUpstream(up.peer);
  join.upstreamEvents.onMessage('RFB 003.008\n');
  join.upstreamEvents.onMessage('more');
  const browser = fakePeer();
  join.open(browser.peer);
  assert.deepEqual(browser.sent, ['RFB 003.008\n', 'more']);
  join.browserEvents.onMessage('hi');
  assert.deepEqual(up.sent, ['hi']);
  join.upstreamEvents.onClose(1006, 'gone');
  assert.deepEqual(browser.log, ['close 1000 gone']);
});

test('an upstream that closed before the browser opened closes the browser at once', () => {
  const join = joinSockets();
  join.setUpstream(fakePeer().peer);
  join.upstreamEvents.onClose(4409, 'stopped');
  const browser = fakePeer();
  join.open(browser.peer);
  assert.deepEqual(browser.log, ['close 4409 stopped']);
});

test('backpressure: the sender is paused while the receiver holds more than 1 MiB, resumed once drained', async () => {
  let queued = 2 << 20;
  const join = joinSockets();
  const up = fakePeer();
  join.setUpstream(up.peer);
  const browser = fakePeer(() => queued);
  join.open(browser.peer);
  join.upstreamEvents.onMessage(new ArrayBuffer(10));
  assert.deepEqual(up.log, ['pause']);
  queued = 0;
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(up.log, ['pause', 'resume']);
});
