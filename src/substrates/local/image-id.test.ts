import { describe, expect, it } from '@jest/globals';
import { imageIdOf } from './pod-worker.js';

describe('imageIdOf', () => {
  it('names the image as containerd reports a pulled one: repository, then its content digest', () => {
    expect(imageIdOf('acme/shop:0.1.0')).toMatch(/^docker\.io\/acme\/shop@sha256:[0-9a-f]{64}$/);
    expect(imageIdOf('redis:7.0.15')).toMatch(/^docker\.io\/library\/redis@sha256:[0-9a-f]{64}$/);
    expect(imageIdOf('localhost:5000/shop:1')).toMatch(/^localhost:5000\/shop@sha256:/);
    expect(imageIdOf(`acme/shop@sha256:${'a'.repeat(64)}`)).toBe(
      `docker.io/acme/shop@sha256:${'a'.repeat(64)}`,
    );
  });

  it('gives every build its own digest', () => {
    expect(imageIdOf('acme/shop:0.1.0')).not.toBe(imageIdOf('acme/shop:0.1.0-12-g3f9c2ab'));
    expect(imageIdOf('acme/shop:0.1.0')).toBe(imageIdOf('acme/shop:0.1.0'));
  });
});
