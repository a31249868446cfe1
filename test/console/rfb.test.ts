import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKGROUND, DEFAULT_FORMAT, Framebuffer, type PixelFormat, RfbSession, decodePixelFormat, encodePixelFormat, rawUpdate, serverInit } from '../../src/sandbox/cluster/rfb.ts';

// The sandbox's RFB 3.8 server as bytes: handshake, ServerInit, raw updates in the client's
// pixel format, messages split across or joined in frames, incremental updates on change.

const ascii = (b: Uint8Array) => new TextDecoder().decode(b);
const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

function handshake(s: RfbSession): Uint8Array {
  assert.equal(ascii(s.start()), 'RFB 003.008\n');
  assert.deepEqual(s.receive(new TextEncoder().encode('RFB 003.008\n')), [Uint8Array.of(1, 1)]);
  assert.deepEqual(s.receive(Uint8Array.of(1)), [new Uint8Array(4)]);
  const [init] = s.receive(Uint8Array.of(1));
  return init as Uint8Array;
}

test('handshake: version, security None, ServerInit with size, 32-bpp format and the name', () => {
  const init = handshake(new RfbSession('vm-1', []));
  const v = new DataView(init.buffer);
  assert.equal(v.getUint16(0), 640);
  assert.equal(v.getUint16(2), 400);
  assert.deepEqual(decodePixelFormat(init.subarray(4, 20)), DEFAULT_FORMAT);
  assert.equal(v.getUint32(20), 4);
  assert.equal(ascii(init.subarray(24)), 'vm-1');
  assert.deepEqual(serverInit(640, 400, 'vm-1'), init);
});

test('a refused security type and an unknown version are errors', () => {
  const s = new RfbSession('x', []);
  assert.throws(() => s.receive(new TextEncoder().encode('RFB 004.000\n')), /unsupported RFB version/);
  const t = new RfbSession('x', []);
  t.receive(new TextEncoder().encode('RFB 003.008\n'));
  assert.throws(() => t.receive(Uint8Array.of(2)), /unsupported security type/);
});

test('raw update: pixels converted to the pixel format the client set (noVNC: RGBX little-endian)', () => {
  const s = new RfbSession('vm', []);
  handshake(s);
  const pf: PixelFormat = { ...DEFAULT_FORMAT, redShift: 0, greenShift: 8, blueShift: 16 };
  const setPf = concat([Uint8Array.of(0, 0, 0, 0), encodePixelFormat(pf)]);
  const setEnc = Uint8Array.of(2, 0, 0, 1, 0, 0, 0, 0);
  const req = Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 2, 0, 1); // 2×1 at 0,0, not incremental
  // One frame carrying three messages, the last split in two.
  const all = concat([setPf, setEnc, req]);
  assert.deepEqual(s.receive(all.subarray(0, all.length - 3)), []);
  const [update] = s.receive(all.subarray(all.length - 3));
  const u = update as Uint8Array;
  const v = new DataView(u.buffer);
  assert.equal(u[0], 0);
  assert.equal(v.getUint16(2), 1);
  assert.deepEqual([v.getUint16(4), v.getUint16(6), v.getUint16(8), v.getUint16(10), v.getInt32(12)], [0, 0, 2, 1, 0]);
  // Row 0 is the accent bar; its colour, red first in memory.
  assert.deepEqual([...u.subarray(16, 20)], [0xff, 0xc0, 0x20, 0]);
  assert.equal(u.length, 16 + 2 * 4);
});

test('16-bpp big-endian formats are honoured', () => {
  const fb = new Framebuffer(1, 1);
  fb.fill(0, 0, 1, 1, [255, 0, 255]);
  const pf: PixelFormat = { bitsPerPixel: 16, depth: 16, bigEndian: true, trueColour: true, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 };
  const u = rawUpdate(fb, 0, 0, 1, 1, pf);
  assert.deepEqual([...u.subarray(16)], [0xf8, 0x1f]);
});

test('an incremental request waits for a change; a typed key answers it', () => {
  const s = new RfbSession('vm', []);
  handshake(s);
  assert.deepEqual(s.receive(Uint8Array.of(3, 1, 0, 0, 0, 0, 2, 128, 1, 144)), []);
  const before = s.fb.rgb.slice();
  const [update] = s.receive(Uint8Array.of(4, 1, 0, 0, 0, 0, 0, 0x41)); // key 'A' down
  assert.ok(update && update.length === 16 + 640 * 400 * 4);
  assert.notDeepEqual(s.fb.rgb, before);
  // Background where nothing is drawn.
  assert.deepEqual([...s.fb.rgb.subarray((200 * 640 + 600) * 3, (200 * 640 + 600) * 3 + 3)], [...BACKGROUND]);
  // Key up, pointer and cut text are read and need no answer.
  assert.deepEqual(s.receive(concat([Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0x41), Uint8Array.of(5, 0, 0, 1, 0, 1), Uint8Array.of(6, 0, 0, 0, 0, 0, 0, 2, 104, 105)])), []);
});
