import { describe, expect, it } from '@jest/globals';
import { addressedService, rewriteAddress, sameServiceAddress } from './service-address.js';

describe('equivalent addresses of a Service', () => {
  it('reads the Service and the form of an address in the namespace', () => {
    expect(addressedService('http://catalog:8080', 'shop')).toEqual({ service: 'catalog', form: 'short' });
    expect(addressedService('redis', 'shop')).toEqual({ service: 'redis', form: 'short' });
    expect(addressedService('http://frontend.shop:8080/api', 'shop')).toEqual({
      service: 'frontend',
      form: 'namespaced',
    });
    expect(addressedService('postgres.shop.svc.cluster.local', 'shop')).toEqual({
      service: 'postgres',
      form: 'fqdn',
    });
    expect(addressedService('http://jaeger.observability:4318/v1/traces', 'shop')).toBeUndefined();
    expect(addressedService('/etc/shop/config.json', 'shop')).toBeUndefined();
  });

  it('writes it in another form, scheme, port and path kept', () => {
    expect(rewriteAddress('http://catalog:8080', 'shop', 'fqdn')).toBe(
      'http://catalog.shop.svc.cluster.local:8080',
    );
    expect(rewriteAddress('http://frontend.shop:8080/api', 'shop', 'short')).toBe('http://frontend:8080/api');
    expect(rewriteAddress('redis', 'shop', 'namespaced')).toBe('redis.shop');
    expect(rewriteAddress('http://jaeger.observability:4318', 'shop', 'short')).toBeUndefined();
  });
});

describe('sameServiceAddress', () => {
  it('tells addresses of one Service, port and path apart from another', () => {
    expect(
      sameServiceAddress('http://catalog:8080', 'http://catalog.shop.svc.cluster.local:8080', 'shop'),
    ).toBe(true);
    expect(sameServiceAddress('http://catalog:8080', 'http://Catalog.shop.svc:8080', 'shop')).toBe(true);
    expect(sameServiceAddress('http://catalog:8080', 'http://catalog.other:8080', 'shop')).toBe(false);
    expect(sameServiceAddress('http://catalog:8080', 'http://catalog:8081', 'shop')).toBe(false);
    expect(sameServiceAddress('/etc/x', '/etc/x', 'shop')).toBe(false);
  });
});
