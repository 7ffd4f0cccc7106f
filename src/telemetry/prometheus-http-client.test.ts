import { PrometheusApiError } from '../errors/prometheus-api-error.js';
import { freePort } from '../util/free-port.js';
import { PrometheusHttpClient, promTime } from './prometheus-http-client.js';

interface Call {
  url: string;
  method: string;
  body: string | undefined;
}

function fakeFetch(respond: (call: Call) => { status?: number; body: unknown }): {
  fetch: typeof fetch;
  calls: Call[];
} {
  const calls: Call[] = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    const call = {
      url: String(input),
      method: init?.method ?? 'GET',
      body: init?.body as string | undefined,
    };
    calls.push(call);
    const r = respond(call);
    return new Response(typeof r.body === 'string' ? r.body : JSON.stringify(r.body), {
      status: r.status ?? 200,
    });
  }) as typeof fetch;
  return { fetch: fn, calls };
}

const ok = (data: unknown): { body: unknown } => ({ body: { status: 'success', data } });

describe('PrometheusHttpClient', () => {
  it('POSTs range queries form-encoded and parses points, keeping NaN and Inf spellings', async () => {
    const { fetch, calls } = fakeFetch(() =>
      ok({
        resultType: 'matrix',
        result: [
          {
            metric: { __name__: 'up', pod: 'cart-0' },
            values: [
              [1735689600, '1'],
              [1735689605, 'NaN'],
              [1735689610, '+Inf'],
            ],
          },
        ],
      }),
    );
    const client = new PrometheusHttpClient({ baseUrl: 'http://prom:9090/', fetch });
    const series = await client.queryRange(
      'rate(x[1m]) > 0 & y',
      Date.parse('2025-01-01T00:00:00Z'),
      new Date('2025-01-01T00:01:00.5Z'),
      5,
    );
    expect(series).toEqual([
      {
        metric: { __name__: 'up', pod: 'cart-0' },
        values: [
          [1735689600, 1],
          [1735689605, 'NaN'],
          [1735689610, '+Inf'],
        ],
      },
    ]);
    expect(calls[0].url).toBe('http://prom:9090/api/v1/query_range');
    expect(calls[0].method).toBe('POST');
    expect(Object.fromEntries(new URLSearchParams(calls[0].body))).toEqual({
      query: 'rate(x[1m]) > 0 & y',
      start: '1735689600.000',
      end: '1735689660.500',
      step: '5',
    });
  });

  it('returns typed instant results of each kind', async () => {
    const answers = [
      ok({ resultType: 'vector', result: [{ metric: { a: 'b' }, value: [1, '2.5'] }] }),
      ok({ resultType: 'scalar', result: [1, '-Inf'] }),
    ];
    const { fetch } = fakeFetch(() => answers.shift()!);
    const client = new PrometheusHttpClient({ baseUrl: 'http://p', fetch });
    await expect(client.query('a')).resolves.toEqual({
      resultType: 'vector',
      result: [{ metric: { a: 'b' }, value: [1, 2.5] }],
    });
    await expect(client.query('scalar(a)', 1000)).resolves.toEqual({
      resultType: 'scalar',
      result: [1, '-Inf'],
    });
  });

  it('sends series matchers and label-value filters', async () => {
    const { fetch, calls } = fakeFetch((c) =>
      c.url.includes('/series') ? ok([{ __name__: 'up', job: 'shop' }]) : ok(['cart-0', 'cart-1']),
    );
    const client = new PrometheusHttpClient({ baseUrl: 'http://p', fetch });
    await expect(client.series(['up', 'kube_pod_info{namespace="shop"}'], 0, 1000)).resolves.toEqual([
      { __name__: 'up', job: 'shop' },
    ]);
    expect(new URLSearchParams(calls[0].body).getAll('match[]')).toEqual([
      'up',
      'kube_pod_info{namespace="shop"}',
    ]);
    await expect(client.labelValues('pod', { match: ['up'] })).resolves.toEqual(['cart-0', 'cart-1']);
    expect(calls[1].url).toBe('http://p/api/v1/label/pod/values?match%5B%5D=up');
    expect(calls[1].method).toBe('GET');
  });

  it('throws PrometheusApiError with the URL, HTTP status and the API message', async () => {
    const { fetch } = fakeFetch(() => ({
      status: 400,
      body: { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' },
    }));
    const client = new PrometheusHttpClient({ baseUrl: 'http://p', fetch });
    const err = await client.query('sum(').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusApiError);
    expect(err).toMatchObject({ url: 'http://p/api/v1/query', status: 400, errorType: 'bad_data' });
    expect((err as Error).message).toBe(
      'HTTP 400 from http://p/api/v1/query: bad_data: 1:5: parse error: unclosed left parenthesis',
    );
  });

  it('reports unreachable servers and unexpected answers as PrometheusApiError', async () => {
    const port = await freePort();
    const down = new PrometheusHttpClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
    await expect(down.alerts()).rejects.toThrow(
      new RegExp(
        `http://127\\.0\\.0\\.1:${port}/api/v1/alerts: request failed: fetch failed: .*ECONNREFUSED`,
      ),
    );
    const { fetch } = fakeFetch(() => ({ status: 502, body: '<html>bad gateway</html>' }));
    await expect(new PrometheusHttpClient({ baseUrl: 'http://p', fetch }).rules()).rejects.toThrow(
      /HTTP 502 .*not a JSON answer/,
    );
    const { fetch: odd } = fakeFetch(() => ok({ alerts: [{ labels: {}, state: 'exploding' }] }));
    await expect(new PrometheusHttpClient({ baseUrl: 'http://p', fetch: odd }).alerts()).rejects.toThrow(
      /answer not understood/,
    );
  });

  it('formats times as unix seconds', () => {
    expect(promTime(new Date('2025-01-01T00:00:00.123Z'))).toBe('1735689600.123');
  });
});
