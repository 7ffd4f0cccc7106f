import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ExecaCommandRunner } from '../../../process/execa-command-runner.js';
import { requireTool } from '../../../tools/find-tool.js';
import { AMTOOL } from '../../../tools/tool-specs.js';
import {
  alertmanagerConfigText,
  renderAlertmanagerConfig,
  SHARED_ALERTMANAGER_CONFIG,
} from './alertmanager-config.js';

describe('Alertmanager config', () => {
  it('generates the null-receiver route with short grouping', () => {
    const cfg = parse(renderAlertmanagerConfig()) as { route: Record<string, unknown>; receivers: unknown[] };
    expect(cfg.route).toMatchObject({
      receiver: 'null',
      group_wait: '5s',
      group_interval: '10s',
      repeat_interval: '1h',
    });
    expect(cfg.receivers).toEqual([{ name: 'null' }]);
  });

  it('uses an explicitly given file, else the shared manifest when it exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-amcfg-'));
    const file = join(dir, 'am.yml');
    writeFileSync(file, 'route: {receiver: x}\nreceivers: [{name: x}]\n');
    expect(alertmanagerConfigText(file)).toEqual({
      text: 'route: {receiver: x}\nreceivers: [{name: x}]\n',
      source: file,
    });
    const shared = alertmanagerConfigText();
    expect(['generated', SHARED_ALERTMANAGER_CONFIG]).toContain(shared.source);
  });

  it('passes amtool check-config, generated and shared alike', async () => {
    const amtool = await requireTool(AMTOOL);
    const dir = mkdtempSync(join(tmpdir(), 'fd-amcfg-'));
    const generated = join(dir, 'generated.yml');
    writeFileSync(generated, renderAlertmanagerConfig());
    const shared = join(dir, 'shared.yml');
    writeFileSync(shared, alertmanagerConfigText().text);
    const runner = new ExecaCommandRunner();
    for (const file of [generated, shared]) {
      const r = await runner.run(amtool.path, ['check-config', file]);
      expect({ file, exitCode: r.exitCode, out: r.stdout + r.stderr }).toMatchObject({
        exitCode: 0,
        out: expect.stringMatching(/SUCCESS/),
      });
    }
  });
});
