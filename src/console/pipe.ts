import type { WsData, WsEvents, WsPeer } from '../platform.ts';

// Pipes one websocket into another with backpressure: when the receiving side has more than
// HIGH bytes queued, the sending side stops being read (where its runtime can pause) until
// the queue drains below LOW. Frames that arrive before the far side is open are held.

const HIGH = 1 << 20;
const LOW = 1 << 16;
const DRAIN_POLL_MS = 10;

/** Close codes the WebSocket API lets a script send: 1000 and 3000–4999 (others become 1000). */
export function sendableCode(code: number): number {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

/** A close reason within the protocol's 123 bytes. */
export function sendableReason(reason: string): string {
  let r = reason;
  while (new TextEncoder().encode(r).length > 123) r = r.slice(0, -1);
  return r;
}

export class Relay {
  private held: WsData[] = [];
  private target: WsPeer | undefined;
  private closed = false;
  private draining = false;

  constructor(private readonly source: () => WsPeer | undefined) {}

  /** The side frames go to is open: send what was held. */
  attach(target: WsPeer): void {
    this.target = target;
    for (const d of this.held.splice(0)) this.forward(d);
  }

  events(peerClosed: (code: number, reason: string) => void): WsEvents {
    return {
      onMessage: (d) => this.forward(d),
      onClose: (code, reason) => {
        if (this.closed) return;
        this.closed = true;
        peerClosed(code, reason);
      },
    };
  }

  private forward(d: WsData): void {
    const target = this.target;
    if (!target) {
      this.held.push(d);
      return;
    }
    target.send(d);
    if (target.bufferedAmount > HIGH && !this.draining) this.waitForDrain(target);
  }

  private waitForDrain(target: WsPeer): void {
    const source = this.source();
    if (!source?.pause) return;
    this.draining = true;
    source.pause();
    const timer = setInterval(() => {
      if (target.bufferedAmount > LOW && !this.closed) return;
      clearInterval(timer);
      this.draining = false;
      source.resume?.();
    }, DRAIN_POLL_MS);
  }
}

/** Closing a socket that is already closing must not throw out of an event handler. */
function closeQuietly(peer: WsPeer | undefined, how: { code: number; reason: string }): void {
  try {
    peer?.close(how.code, how.reason);
  } catch {
    // already closed
  }
}

/**
 * Joins a browser socket and an upstream socket: returns the upstream's events (pass them
 * when opening it) and `open(browser)` for when the browser side is accepted. Closing either
 * side closes the other with the same code and reason.
 */
export function joinSockets(): {
  upstreamEvents: WsEvents;
  browserEvents: WsEvents;
  setUpstream(peer: WsPeer): void;
  open(browser: WsPeer): void;
} {
  let upstream: WsPeer | undefined;
  let browser: WsPeer | undefined;
  let ended: { code: number; reason: string } | undefined;
  const down = new Relay(() => upstream);
  const up = new Relay(() => browser);
  const end = (other: () => WsPeer | undefined) => (code: number, reason: string) => {
    ended ??= { code: sendableCode(code), reason: sendableReason(reason) };
    closeQuietly(other(), ended);
  };
  return {
    upstreamEvents: down.events(end(() => browser)),
    browserEvents: up.events(end(() => upstream)),
    setUpstream(peer) {
      upstream = peer;
      up.attach(peer);
    },
    open(peer) {
      browser = peer;
      // The upstream ended before the browser arrived: pass its frames and its close on.
      down.attach(peer);
      if (ended) closeQuietly(peer, ended);
    },
  };
}
