import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { parse } from 'yaml';
import { ALERTMANAGER_CONFIG_FILE } from '../../src/manifests/index.js';
import { requireTool } from './tools.js';

interface Route {
  receiver: string;
  group_by: string[];
  group_wait: string;
  group_interval: string;
}

describe('Alertmanager config', () => {
  it('passes amtool check-config', async () => {
    const amtool = requireTool('amtool');
    const r = await execa(amtool, ['check-config', ALERTMANAGER_CONFIG_FILE], { reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`amtool check-config failed:\n${r.all}`);
    expect(r.all).toContain('SUCCESS');
  });

  it('groups by alert and affected service quickly and delivers nowhere', async () => {
    const config = parse(await readFile(ALERTMANAGER_CONFIG_FILE, 'utf8')) as {
      route: Route;
      receivers: Array<Record<string, unknown>>;
    };
    expect(config.route).toMatchObject({
      group_by: ['alertname', 'namespace', 'service'],
      group_wait: '5s',
      group_interval: '10s',
      receiver: 'null',
    });
    expect(config.receivers).toEqual([{ name: 'null' }]);
  });
});
