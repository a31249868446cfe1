import { GLYPH_H, GLYPH_W, glyph } from './font.ts';

// A small RFB 3.8 server (RFC 6143) for the sandbox's `vnc` subresource: security type None,
// raw encoding, any true-colour pixel format the client sets. The framebuffer shows the
// VMI's name and what was typed, so a test can see it is this server's screen. Pure: bytes
// in, bytes out; the websocket around it lives in consoles.ts.

export type Rgb = readonly [number, number, number];

export interface PixelFormat {
  bitsPerPixel: number;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

/** What the server offers in ServerInit: 32 bpp, depth 24, little-endian, BGRX in memory. */
export const DEFAULT_FORMAT: PixelFormat = {
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
};

export const BACKGROUND: Rgb = [0x12, 0x34, 0x56];
export const FOREGROUND: Rgb = [0xff, 0xff, 0xff];
export const ACCENT: Rgb = [0xff, 0xc0, 0x20];

export class Framebuffer {
  readonly rgb: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgb = new Uint8Array(width * height * 3);
  }

  fill(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = Math.max(0, y); j < Math.min(this.height, y + h); j++)
      for (let i = Math.max(0, x); i < Math.min(this.width, x + w); i++) this.rgb.set(c, (j * this.width + i) * 3);
  }

  /** Draws `text` with the 5×7 font, each font pixel a `scale`×`scale` block. */
  text(x: number, y: number, text: string, scale: number, c: Rgb): void {
    let cx = x;
    for (const ch of text) {
      const rows = glyph(ch);
      for (const [row, bits] of rows.entries())
        for (let col = 0; col < GLYPH_W; col++) if (bits & (1 << (GLYPH_W - 1 - col))) this.fill(cx + col * scale, y + row * scale, scale, scale, c);
      cx += (GLYPH_W + 1) * scale;
    }
  }
}

export function textWidth(text: string, scale: number): number {
  return [...text].length * (GLYPH_W + 1) * scale;
}
export const TEXT_HEIGHT = GLYPH_H;

export function encodePixelFormat(pf: PixelFormat): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  b[0] = pf.bitsPerPixel;
  b[1] = pf.depth;
  b[2] = pf.bigEndian ? 1 : 0;
  b[3] = pf.trueColour ? 1 : 0;
  v.setUint16(4, pf.redMax);
  v.setUint16(6, pf.greenMax);
  v.setUint16(8, pf.blueMax);
  b[10] = pf.redShift;
  b[11] = pf.greenShift;
  b[12] = pf.blueShift;
  return b;
}

export function decodePixelFormat(b: Uint8Array): PixelFormat {
  const v = new DataView(b.buffer, b.byteOffset, 16);
  return {
    bitsPerPixel: b[0] as number,
    depth: b[1] as number,
    bigEndian: b[2] !== 0,
    trueColour: b[3] !== 0,
    redMax: v.getUint16(4),
    greenMax: v.getUint16(6),
    blueMax: v.getUint16(8),
    redShift: b[10] as number,
    greenShift: b[11] as number,
    blueShift: b[12] as number,
  };
}

export function serverInit(width: number, height: number, name: string): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const b = new Uint8Array(24 + nameBytes.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, width);
  v.setUint16(2, height);
  b.set(encodePixelFormat(DEFAULT_FORMAT), 4);
  v.setUint32(20, nameBytes.length);
  b.set(nameBytes, 24);
  return b;
}

/** A FramebufferUpdate with one raw-encoded rectangle, pixels in the client's format. */
export function rawUpdate(fb: Framebuffer, x: number, y: number, w: number, h: number, pf: PixelFormat): Uint8Array {
  const bpp = pf.bitsPerPixel / 8;
  const out = new Uint8Array(4 + 12 + w * h * bpp);
  const v = new DataView(out.buffer);
  out[0] = 0; // FramebufferUpdate
  v.setUint16(2, 1);
  v.setUint16(4, x);
  v.setUint16(6, y);
  v.setUint16(8, w);
  v.setUint16(10, h);
  v.setInt32(12, 0); // raw
  let o = 16;
  for (let j = y; j < y + h; j++) {
    for (let i = x; i < x + w; i++) {
      const p = (j * fb.width + i) * 3;
      const value =
        ((Math.round(((fb.rgb[p] as number) * pf.redMax) / 255) << pf.redShift) |
          (Math.round(((fb.rgb[p + 1] as number) * pf.greenMax) / 255) << pf.greenShift) |
          (Math.round(((fb.rgb[p + 2] as number) * pf.blueMax) / 255) << pf.blueShift)) >>>
        0;
      for (let k = 0; k < bpp; k++) out[o + k] = (value >>> (8 * (pf.bigEndian ? bpp - 1 - k : k))) & 0xff;
      o += bpp;
    }
  }
  return out;
}

const KEY_RETURN = 0xff0d;
const KEY_BACKSPACE = 0xff08;

type Phase = 'version' | 'security' | 'init' | 'normal';

/**
 * One client's session. `start()` is the server's greeting (RFB speaks first); `receive()`
 * takes whatever bytes arrived (frames may split or join messages) and returns the replies.
 */
export class RfbSession {
  private phase: Phase = 'version';
  private buf = new Uint8Array(0);
  private format: PixelFormat = DEFAULT_FORMAT;
  private typed = '';
  /** An incremental update request waiting for the screen to change. */
  private pending: { x: number; y: number; w: number; h: number } | undefined;
  readonly fb: Framebuffer;

  constructor(
    private readonly name: string,
    private readonly lines: string[],
    width = 640,
    height = 400,
  ) {
    this.fb = new Framebuffer(width, height);
    this.draw();
  }

  start(): Uint8Array {
    return new TextEncoder().encode('RFB 003.008\n');
  }

  private draw(): void {
    const fb = this.fb;
    fb.fill(0, 0, fb.width, fb.height, BACKGROUND);
    fb.fill(0, 0, fb.width, 6, ACCENT);
    fb.text(24, 32, this.name, 4, FOREGROUND);
    for (const [i, line] of this.lines.entries()) fb.text(24, 90 + i * 24, line, 2, ACCENT);
    fb.text(24, fb.height - 48, `> ${this.typed}`, 3, FOREGROUND);
  }

  receive(bytes: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    this.buf = joined;
    const out: Uint8Array[] = [];
    for (;;) {
      const used = this.step(out);
      if (used === 0) break;
      this.buf = this.buf.slice(used);
    }
    return out;
  }

  /** Handles one complete message at the head of the buffer; 0 when more bytes are needed. */
  private step(out: Uint8Array[]): number {
    const b = this.buf;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    switch (this.phase) {
      case 'version': {
        if (b.length < 12) return 0;
        const version = new TextDecoder().decode(b.subarray(0, 12));
        if (!/^RFB 003\.00[3-8]\n$/.test(version)) throw new Error(`unsupported RFB version ${JSON.stringify(version)}`);
        out.push(Uint8Array.of(1, 1)); // one security type: None
        this.phase = 'security';
        return 12;
      }
      case 'security':
        if (b.length < 1) return 0;
        if (b[0] !== 1) {
          const why = new TextEncoder().encode('only security type None is offered');
          const fail = new Uint8Array(8 + why.length);
          new DataView(fail.buffer).setUint32(0, 1);
          new DataView(fail.buffer).setUint32(4, why.length);
          fail.set(why, 8);
          out.push(fail);
          throw new Error('unsupported security type');
        }
        out.push(new Uint8Array(4)); // SecurityResult OK
        this.phase = 'init';
        return 1;
      case 'init':
        if (b.length < 1) return 0;
        out.push(serverInit(this.fb.width, this.fb.height, this.name));
        this.phase = 'normal';
        return 1;
      case 'normal':
        return this.message(b, v, out);
    }
  }

  private message(b: Uint8Array, v: DataView, out: Uint8Array[]): number {
    if (b.length < 1) return 0;
    switch (b[0]) {
      case 0: // SetPixelFormat
        if (b.length < 20) return 0;
        this.format = decodePixelFormat(b.subarray(4, 20));
        if (!this.format.trueColour || ![8, 16, 32].includes(this.format.bitsPerPixel)) throw new Error('only true-colour 8/16/32 bpp formats are served');
        return 20;
      case 2: {
        // SetEncodings: raw is always acceptable, so the list changes nothing.
        if (b.length < 4) return 0;
        const len = 4 + 4 * v.getUint16(2);
        return b.length < len ? 0 : len;
      }
      case 3: {
        if (b.length < 10) return 0;
        const rect = { x: v.getUint16(2), y: v.getUint16(4), w: v.getUint16(6), h: v.getUint16(8) };
        const clipped = this.clip(rect);
        if (b[1] === 0) out.push(rawUpdate(this.fb, clipped.x, clipped.y, clipped.w, clipped.h, this.format));
        else this.pending = clipped; // answered when the screen changes
        return 10;
      }
      case 4: {
        if (b.length < 8) return 0;
        if (b[1] === 1) this.key(v.getUint32(4), out);
        return 8;
      }
      case 5:
        return b.length < 6 ? 0 : 6;
      case 6: {
        if (b.length < 8) return 0;
        const len = 8 + v.getUint32(4);
        return b.length < len ? 0 : len;
      }
      default:
        throw new Error(`unknown RFB client message ${b[0]}`);
    }
  }

  private clip(r: { x: number; y: number; w: number; h: number }) {
    const x = Math.min(r.x, this.fb.width);
    const y = Math.min(r.y, this.fb.height);
    return { x, y, w: Math.min(r.w, this.fb.width - x), h: Math.min(r.h, this.fb.height - y) };
  }

  private key(keysym: number, out: Uint8Array[]): void {
    if (keysym === KEY_RETURN) this.typed = '';
    else if (keysym === KEY_BACKSPACE) this.typed = this.typed.slice(0, -1);
    else if (keysym >= 0x20 && keysym < 0x7f && this.typed.length < 30) this.typed += String.fromCharCode(keysym);
    else return;
    this.draw();
    if (this.pending) {
      const p = this.pending;
      this.pending = undefined;
      out.push(rawUpdate(this.fb, p.x, p.y, p.w, p.h, this.format));
    }
  }
}
