import { AlertmanagerHttpClient } from './alertmanager-http-client.js';

const alert = {
  labels: { alertname: 'PaymentLatencyHigh', namespace: 'shop' },
  annotations: { summary: 'slow' },
  startsAt: '2025-01-01T00:00:00Z',
  endsAt: '2025-01-01T00:05:00Z',
  updatedAt: '2025-01-01T00:00:30Z',
  fingerprint: 'abc',
  receivers: [{ name: 'null' }],
  status: { state: 'active', silencedBy: [], inhibitedBy: null },
};

describe('AlertmanagerHttpClient', () => {
  it('passes filters as query parameters and normalises null lists', async () => {
    const urls: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      urls.push(String(input));
      return new Response(JSON.stringify([alert]));
    }) as typeof globalThis.fetch;
    const client = new AlertmanagerHttpClient({ baseUrl: 'http://am:9093', fetch });
    const alerts = await client.alerts({
      silenced: false,
      filter: ['alertname="PaymentLatencyHigh"', 'namespace="shop"'],
    });
    expect(alerts[0].status).toEqual({ state: 'active', silencedBy: [], inhibitedBy: [] });
    expect(urls[0]).toBe(
      'http://am:9093/api/v2/alerts?silenced=false&filter=alertname%3D%22PaymentLatencyHigh%22&filter=namespace%3D%22shop%22',
    );
  });

  it("throws PrometheusApiError with Alertmanager's message", async () => {
    const fetch = (async () =>
      new Response('"bad matcher format: x"', { status: 400 })) as typeof globalThis.fetch;
    const client = new AlertmanagerHttpClient({ baseUrl: 'http://am', fetch });
    await expect(client.alerts({ filter: ['x'] })).rejects.toMatchObject({
      name: 'PrometheusApiError',
      status: 400,
      apiMessage: 'bad matcher format: x',
    });
  });
});
