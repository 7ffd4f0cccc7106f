import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { VERSIONS_FILE } from '../../versions/versions.js';
import { TOOL_VERSION } from '../../version.js';
import { runInProcess } from '../testing/run-cli.js';
import { formatVersion, versionDocument, type VersionDocument } from './version.js';

interface RawVersions {
  images: Record<string, { image: string; digest: string | null }>;
  tools: Record<string, string>;
  local: Record<string, string>;
}

const raw = JSON.parse(readFileSync(VERSIONS_FILE, 'utf8')) as RawVersions;

describe('firedrill version', () => {
  it('carries the tool version, the running Node.js and every pin of versions.json', () => {
    const d = versionDocument();
    expect(d.firedrill).toBe(TOOL_VERSION);
    expect(d.node).toBe(process.versions.node);
    expect(Object.keys(d.pinned.images)).toEqual(Object.keys(raw.images));
    for (const [key, pin] of Object.entries(raw.images))
      expect(d.pinned.images[key]).toBe(pin.digest ? `${pin.image}@${pin.digest}` : pin.image);
    expect(d.pinned.tools).toEqual(raw.tools);
    expect(d.pinned.local).toEqual(
      Object.fromEntries(Object.entries(raw.local).filter(([k]) => k !== '$comment')),
    );
  });

  it('prints every version in text', () => {
    const d = versionDocument();
    const text = formatVersion(d);
    expect(text.split('\n')[0]).toBe(`firedrill  ${TOOL_VERSION}`);
    expect(text).toContain(`node       ${process.versions.node} (running)`);
    const values = [
      ...Object.values(d.pinned.images),
      ...Object.values(d.pinned.tools),
      ...Object.values(d.pinned.local),
    ];
    for (const v of values)
      expect(text).toMatch(new RegExp(`^    \\S+ +${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it('prints the same document as JSON and YAML', async () => {
    const json = await runInProcess(['version', '-o', 'json']);
    const yaml = await runInProcess(['version', '-o', 'yaml']);
    expect([json.code, json.stderr, yaml.code, yaml.stderr]).toEqual([0, '', 0, '']);
    const doc = JSON.parse(json.stdout) as VersionDocument;
    expect(doc).toEqual(versionDocument());
    expect(parse(yaml.stdout)).toEqual(doc);
  });

  it('keeps --version printing the tool version alone', async () => {
    const r = await runInProcess(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${TOOL_VERSION}\n`, stderr: '' });
  });
});
