import { describe, expect, test } from '@jest/globals';
import { decodeEntry, encodeFields, idMillis } from './stream-message.js';

const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

describe('stream message format', () => {
  test('encodes type, JSON payload, the trace context and published_at, and decodes them back', () => {
    const flat = encodeFields('order placed', { orderId: 'o-1', total: 12.5 }, carrier, 1_700_000_000_123);
    expect(flat).toEqual([
      'type',
      'order placed',
      'payload',
      '{"orderId":"o-1","total":12.5}',
      'traceparent',
      carrier.traceparent,
      'published_at',
      '1700000000123',
    ]);
    const d = decodeEntry('1700000000200-0', flat, ['orderId']);
    expect(d).toEqual({
      ok: true,
      message: {
        id: '1700000000200-0',
        type: 'order placed',
        payload: { orderId: 'o-1', total: 12.5 },
        publishedAt: 1_700_000_000_123,
      },
      fields: expect.objectContaining(carrier),
    });
  });

  test('published_at falls back to the time part of the id', () => {
    const d = decodeEntry('1234-7', ['type', 't', 'payload', '{}'], []);
    expect(d.ok && d.message.publishedAt).toBe(1234);
    expect(idMillis('1700000000200-3')).toBe(1_700_000_000_200);
  });

  test.each([
    [['payload', '{}'], 'missing field type'],
    [['type', 't'], 'missing field payload'],
    [['type', 't', 'payload', '{"orderId":'], 'payload is not valid JSON'],
    [['type', 't', 'payload', '42'], 'payload is not a JSON object'],
    [['type', 't', 'payload', '[]'], 'payload is not a JSON object'],
    [['type', 't', 'payload', '{"total":1}'], 'payload lacks orderId'],
  ])('poison: %j → %s', (flat, reason) => {
    expect(decodeEntry('1-0', flat, ['orderId'])).toMatchObject({ ok: false, reason });
  });
});
