import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { REPO_ROOT } from '../../version.js';
import { fetchJaegerSpans, parseDocuments } from './jaeger-traces.js';

/** Jaeger api/v3 answer (OTLP JSON, base64 ids) captured from a real Jaeger; its one span starts 2023-01-15T23:38:47.082Z. */
const fixture = readFileSync(join(REPO_ROOT, 'tests/fixtures/telemetry/jaeger-api-v3.json'), 'utf8');
const spanStart = new Date('2023-01-15T23:38:47.082Z');

function fakeJaeger(answers: (url: URL) => { status: number; body: string }): {
  fetch: typeof fetch;
  urls: URL[];
} {
  const urls: URL[] = [];
  const f = (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    urls.push(url);
    const a = answers(url);
    return new Response(a.body, { status: a.status });
  }) as typeof fetch;
  return { fetch: f, urls };
}

describe('fetchJaegerSpans', () => {
  const window = {
    start: new Date(spanStart.getTime() - 90_000),
    end: new Date(spanStart.getTime() + 30_000),
  };

  it('asks /api/v3/traces per service and minute with the api/v3 query parameters', async () => {
    const jaeger = fakeJaeger((url) =>
      url.pathname === '/api/v3/services'
        ? { status: 200, body: JSON.stringify({ services: ['payment', 'jaeger', 'cart'] }) }
        : url.searchParams.get('query.service_name') === 'payment'
          ? { status: 200, body: fixture }
          : { status: 404, body: '{"error":{"httpCode":404,"message":"trace not found"}}' },
    );
    const spans = await fetchJaegerSpans(
      { baseUrl: 'http://127.0.0.1:1/', fetch: jaeger.fetch, searchDepth: 50 },
      window,
    );
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ service: 'payment', name: 'charge', status: 'error' });

    const traces = jaeger.urls.filter((u) => u.pathname === '/api/v3/traces');
    // Jaeger's own service is skipped; two services × two slices (90 s + 30 s of a 2-minute window).
    expect(traces.map((u) => u.searchParams.get('query.service_name'))).toEqual([
      'cart',
      'cart',
      'payment',
      'payment',
    ]);
    expect(Object.fromEntries(traces[2]!.searchParams)).toEqual({
      'query.service_name': 'payment',
      'query.start_time_min': window.start.toISOString(),
      'query.start_time_max': new Date(window.start.getTime() + 60_000).toISOString(),
      'query.search_depth': '50',
      'query.num_traces': '50',
    });
    expect(traces[3]!.searchParams.get('query.start_time_max')).toBe(window.end.toISOString());
  });

  it('keeps a span once when several services return its trace, and drops spans outside the window', async () => {
    const jaeger = fakeJaeger((url) =>
      url.pathname === '/api/v3/services'
        ? { status: 200, body: JSON.stringify({ services: ['checkout', 'payment'] }) }
        : { status: 200, body: fixture },
    );
    expect(await fetchJaegerSpans({ baseUrl: 'http://x', fetch: jaeger.fetch }, window)).toHaveLength(1);
    const later = {
      start: new Date(spanStart.getTime() + 60_000),
      end: new Date(spanStart.getTime() + 120_000),
    };
    expect(await fetchJaegerSpans({ baseUrl: 'http://x', fetch: jaeger.fetch }, later)).toEqual([]);
  });

  it('reports an error answer with the status and the path', async () => {
    const jaeger = fakeJaeger((url) =>
      url.pathname === '/api/v3/services'
        ? { status: 200, body: '{"services":["payment"]}' }
        : { status: 400, body: 'malformed parameter query.start_time_min' },
    );
    const err = await fetchJaegerSpans({ baseUrl: 'http://x', fetch: jaeger.fetch }, window).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FiredrillError);
    expect((err as Error).message).toMatch(
      /\/api\/v3\/traces\?query\.service_name=payment.* answered 400: malformed/,
    );
  });
});

describe('parseDocuments', () => {
  it('reads one JSON document or one per line (streamed result chunks)', () => {
    expect(parseDocuments('{"a":1}')).toEqual([{ a: 1 }]);
    expect(parseDocuments('{"result":1}\n{"result":2}\n')).toEqual([{ result: 1 }, { result: 2 }]);
    expect(parseDocuments('  ')).toEqual([]);
  });
});
