import { renderRedisConfig } from './redis-config.js';

describe('renderRedisConfig', () => {
  it('binds loopback with protected mode, no persistence, quoted password', () => {
    const text = renderRedisConfig({ port: 6390, dir: '/tmp/r d', password: 'p"w\\x', maxmemory: '64mb' });
    const lines = text.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'bind 127.0.0.1',
        'port 6390',
        'protected-mode yes',
        'save ""',
        'appendonly no',
        'dir "/tmp/r d"',
        'requirepass "p\\"w\\\\x"',
        'maxmemory 64mb',
        'maxmemory-policy noeviction',
      ]),
    );
  });

  it('refuses values that would break the file', () => {
    expect(() => renderRedisConfig({ port: 1, dir: '/tmp', password: 'a\nport 1' })).toThrow(/newlines/);
    expect(() => renderRedisConfig({ port: 1, dir: '/tmp', maxmemory: 'lots' })).toThrow(/not a size/);
  });
});
