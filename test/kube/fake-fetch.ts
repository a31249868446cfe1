// A scripted fetch: records each request and answers from a queue of handlers.

export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  body: string | undefined;
}

export type Answer = Response | Error | ((req: Recorded) => Response | Promise<Response>);

export function fakeFetch(...answers: Answer[]) {
  const requests: Recorded[] = [];
  const fetch: typeof globalThis.fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const req: Recorded = {
      method: init.method ?? 'GET',
      url: new URL(String(input)),
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : undefined,
    };
    requests.push(req);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request ${req.method} ${req.url}`);
    if (answer instanceof Error) throw answer;
    if (typeof answer === 'function') {
      // Honour the abort signal like a real fetch does.
      const signal = init.signal;
      return await new Promise<Response>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        Promise.resolve(answer(req)).then(resolve, reject);
      });
    }
    return answer;
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

export const status = (code: number, reason: string, message: string, extra: object = {}) =>
  json({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, ...extra }, code);
