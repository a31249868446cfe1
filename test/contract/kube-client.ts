// A tiny raw-HTTP helper for the contract suite: plain fetch, JSON bodies, optional
// impersonation, and newline-delimited watch reading. Deliberately not Dicot's client.

export interface ContractOptions {
  server: string;
  adminToken: string;
  fetch?: typeof fetch;
  /** A token of a user without any RBAC binding (for the impersonation-denied checks). */
  unprivileged?: { token: string; user: string };
}

export interface CallOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
  as?: { user: string; groups?: string[] };
  token?: string;
  signal?: AbortSignal;
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

// Loose JSON access for assertions.
// biome-ignore lint/suspicious/noExplicitAny: test code reads arbitrary Kubernetes JSON
export type Obj = any;

export class Kube {
  readonly fetch: typeof fetch;

  constructor(readonly opts: ContractOptions) {
    this.fetch = opts.fetch ?? fetch;
  }

  headers(o: CallOptions = {}): Headers {
    const h = new Headers({ authorization: `Bearer ${o.token ?? this.opts.adminToken}`, accept: o.accept ?? 'application/json' });
    if (o.body !== undefined) h.set('content-type', o.contentType ?? 'application/json');
    if (o.as) {
      h.set('impersonate-user', o.as.user);
      for (const g of o.as.groups ?? []) h.append('impersonate-group', g);
    }
    return h;
  }

  async call(method: string, path: string, o: CallOptions = {}): Promise<Reply<Obj>> {
    const init: RequestInit = { method, headers: this.headers(o) };
    if (o.body !== undefined) init.body = JSON.stringify(o.body);
    if (o.signal) init.signal = o.signal;
    const res = await this.fetch(new Request(this.opts.server + path, init));
    const text = await res.text();
    let body: Obj = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text.
    }
    return { status: res.status, body, headers: res.headers };
  }

  get = (path: string, o?: CallOptions) => this.call('GET', path, o);
  post = (path: string, body: unknown, o?: CallOptions) => this.call('POST', path, { ...o, body });
  put = (path: string, body: unknown, o?: CallOptions) => this.call('PUT', path, { ...o, body });
  patch = (path: string, body: unknown, contentType: string, o?: CallOptions) => this.call('PATCH', path, { ...o, body, contentType });
  del = (path: string, body?: unknown, o?: CallOptions) => this.call('DELETE', path, { ...o, ...(body !== undefined ? { body } : {}) });

  /** Opens a watch and returns an event reader; call close() when done. */
  async watch(path: string, o: CallOptions = {}): Promise<WatchReader> {
    const ac = new AbortController();
    const res = await this.fetch(new Request(this.opts.server + path, { headers: this.headers(o), signal: ac.signal }));
    if (res.status !== 200 || !res.body) throw new Error(`watch ${path}: ${res.status} ${await res.text()}`);
    return new WatchReader(res.body, ac);
  }

  /** Polls until `check` returns a value other than undefined (the API has no sync points). */
  async until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async gone(path: string): Promise<void> {
    await this.until(`${path} to be gone`, async () => ((await this.get(path)).status === 404 ? true : undefined));
  }
}

export interface WatchEvent {
  type: string;
  object: Obj;
}

export class WatchReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';
  ended = false;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly ac: AbortController,
  ) {
    this.reader = body.getReader();
  }

  /** The next event, or undefined when the stream ends; fails after `timeoutMs`. */
  async next(timeoutMs = 10_000): Promise<WatchEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (line) return JSON.parse(line) as WatchEvent;
        continue;
      }
      if (this.ended) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out waiting for a watch event')), Math.max(1, deadline - Date.now()));
      });
      try {
        const { value, done } = await Promise.race([this.reader.read(), timeout]);
        if (done) this.ended = true;
        else this.buffer += this.decoder.decode(value, { stream: true });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** The next event that is not a BOOKMARK. */
  async nextChange(timeoutMs = 10_000): Promise<WatchEvent | undefined> {
    for (;;) {
      const e = await this.next(timeoutMs);
      if (e?.type !== 'BOOKMARK') return e;
    }
  }

  close(): void {
    this.ac.abort();
    this.reader.cancel().catch(() => {});
  }
}

export const rand = () => Math.random().toString(36).slice(2, 8);
