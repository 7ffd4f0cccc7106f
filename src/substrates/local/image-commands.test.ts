import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../version.js';
import { imageCommand, POSTGRES_ENTRYPOINT } from './image-commands.js';

describe('imageCommand', () => {
  it('maps the shop image to its compiled entry point on this Node.js', () => {
    const shop = imageCommand('acme/shop:0.1.0', REPO_ROOT);
    expect(shop?.entrypoint).toEqual(['node', join(REPO_ROOT, 'dist/apps/shop/src/main.js')]);
    expect(shop?.resolve('node')).toBe(process.execPath);
  });

  it('binds redis-server to the pod address with its files in the pod directory', () => {
    const redis = imageCommand('docker.io/library/redis:7.0.15', REPO_ROOT);
    expect(redis?.localArgs('127.1.0.5', '/run/pods/x')).toEqual([
      '--bind',
      '127.1.0.5',
      '--dir',
      '/run/pods/x',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ]);
    expect(redis?.imageEnv).toBeUndefined();
  });

  it("runs postgres through the image's entrypoint, on the pod address, its socket and data in the pod directory", () => {
    for (const image of ['postgres:15', `docker.io/library/postgres@sha256:${'0'.repeat(64)}`]) {
      const pg = imageCommand(image, REPO_ROOT);
      expect(pg?.entrypoint).toEqual([join(REPO_ROOT, POSTGRES_ENTRYPOINT)]);
      expect(pg?.resolve(join(REPO_ROOT, POSTGRES_ENTRYPOINT))).toBe(join(REPO_ROOT, POSTGRES_ENTRYPOINT));
      // Appended after the manifest's arguments: these `-c` settings win over its listen_addresses=*.
      expect(pg?.localArgs('127.1.0.6', '/run/pods/y')).toEqual([
        '-c',
        'listen_addresses=127.1.0.6',
        '-c',
        'unix_socket_directories=/run/pods/y/run',
      ]);
      // The image's default PGDATA, never the host's /var/lib/postgresql: a container's env overrides it.
      expect(pg?.imageEnv?.('127.1.0.6', '/run/pods/y')).toEqual({ PGDATA: '/run/pods/y/pgdata' });
    }
    expect(() => accessSync(join(REPO_ROOT, POSTGRES_ENTRYPOINT), constants.X_OK)).not.toThrow();
  });

  it('has no command for an image this machine cannot run, as a node cannot pull it', () => {
    expect(imageCommand('postgresql:15', REPO_ROOT)).toBeUndefined();
    expect(imageCommand('acme/shop-missing:0.1.0', REPO_ROOT)).toBeUndefined();
  });
});
