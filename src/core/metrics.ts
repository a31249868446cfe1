// Prometheus metrics of one gateway process (Node, Bun, Deno; a Worker has no process to
// scrape): HTTP requests by service, route and status; Kubernetes calls by verb and resource;
// token validations. Plain counters and histograms rendered in the text exposition format.

import { parseRequest } from '../kube/request-info.ts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

const labelText = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines;
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  observe(labels: Labels, seconds: number): void {
    const key = labelText(labels);
    const s = this.series.get(key) ?? { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) s.counts[i] = (s.counts[i] as number) + 1;
    });
    s.sum += seconds;
    s.count += 1;
    this.series.set(key, s);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      for (const [i, b] of BUCKETS.entries()) lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i]}`);
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

export interface Metrics {
  request(l: { service: string; route: string; method: string; status: number }, seconds: number): void;
  kube(l: { verb: string; resource: string; code: string }, seconds: number): void;
  tokenValidation(result: 'valid' | 'invalid'): void;
  render(): string;
}

export function createMetrics(): Metrics {
  const requests = new Counter('dicot_http_requests_total', 'HTTP requests answered, by service, route template, method and status.');
  const requestSeconds = new Histogram('dicot_http_request_duration_seconds', 'HTTP request latency, by service, route template and method.');
  const kubeCalls = new Counter('dicot_kube_requests_total', 'Kubernetes API calls, by verb, resource and HTTP status (or "error" when no answer came).');
  const kubeSeconds = new Histogram('dicot_kube_request_duration_seconds', 'Kubernetes API call latency until the response headers, by verb and resource.');
  const tokens = new Counter('dicot_token_validations_total', 'Keystone token validations, by result.');
  return {
    request(l, seconds) {
      requests.inc({ service: l.service, route: l.route, method: l.method, status: String(l.status) });
      requestSeconds.observe({ service: l.service, route: l.route, method: l.method }, seconds);
    },
    kube(l, seconds) {
      kubeCalls.inc(l);
      kubeSeconds.observe({ verb: l.verb, resource: l.resource }, seconds);
    },
    tokenValidation(result) {
      tokens.inc({ result });
    },
    render: () => `${[requests, requestSeconds, kubeCalls, kubeSeconds, tokens].flatMap((m) => m.render()).join('\n')}\n`,
  };
}

/** `resource[/subresource]` and verb of a Kubernetes API URL, as the API server would name them. */
export function kubeCallOf(method: string, url: string): { verb: string; resource: string } {
  const info = parseRequest(method, new URL(url));
  if (!info.isResourceRequest) return { verb: info.verb, resource: 'nonresource' };
  const group = info.apiGroup ? `.${info.apiGroup}` : '';
  return { verb: info.verb, resource: `${info.resource}${group}${info.subresource ? `/${info.subresource}` : ''}` };
}

/** A fetch that records each Kubernetes call in `metrics`. */
export function meteredFetch(inner: typeof fetch, metrics: Metrics): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    // Duck-typed: @hono/node-server swaps the global Request class.
    const req = typeof input === 'object' && 'method' in input ? input : undefined;
    const { verb, resource } = kubeCallOf(init?.method ?? req?.method ?? 'GET', req ? req.url : String(input));
    const started = performance.now();
    try {
      const res = await inner(input, init);
      metrics.kube({ verb, resource, code: String(res.status) }, (performance.now() - started) / 1000);
      return res;
    } catch (err) {
      metrics.kube({ verb, resource, code: 'error' }, (performance.now() - started) / 1000);
      throw err;
    }
  }) as typeof fetch;
}
