import type { Command } from 'commander';
import { TOOL_VERSION } from '../../version.js';
import { imageReferences, loadVersions, VERSIONS_FILE, type Versions } from '../../versions/versions.js';
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';

/** `version -o json|yaml`. */
export interface VersionDocument {
  firedrill: string;
  /** The Node.js running firedrill now. */
  node: string;
  /** Everything versions.json pins: what runs depend on, so a bundle can be reproduced. */
  pinned: {
    /** Image references as deployed (`image@digest` where a digest is pinned). */
    images: Record<string, string>;
    tools: Record<string, string>;
    /** What the local substrate was tested against (informational). */
    local: Record<string, string>;
  };
}

export function versionDocument(
  versions: Versions = loadVersions(),
  node: string = process.versions.node,
): VersionDocument {
  return {
    firedrill: TOOL_VERSION,
    node,
    pinned: { images: imageReferences(versions), tools: { ...versions.tools }, local: { ...versions.local } },
  };
}

export function formatVersion(d: VersionDocument): string {
  const groups: Array<[string, Record<string, string>]> = [
    ['images', d.pinned.images],
    ['tools', d.pinned.tools],
    ['local (tested against; a different installed version is reported, not refused)', d.pinned.local],
  ];
  const width = Math.max(...groups.flatMap(([, g]) => Object.keys(g).map((k) => k.length)));
  let out = `firedrill  ${d.firedrill}\nnode       ${d.node} (running)\n\npinned (versions.json):\n`;
  for (const [title, group] of groups) {
    out += `  ${title}\n`;
    for (const [k, v] of Object.entries(group)) out += `    ${k.padEnd(width)}  ${v}\n`;
  }
  return out;
}

export function register(program: Command): void {
  const version = program
    .command('version')
    .summary("print firedrill's version, every pinned image and tool version, and Node.js'")
    .description(
      `Print firedrill's version, the Node.js running it, and every version pinned in ${VERSIONS_FILE}: ` +
        'the images deployed on Kubernetes substrates, the kind and Kubernetes releases, and the packages the ' +
        'local substrate was tested against. `firedrill --version` prints only the first.',
    );
  addOutputOptions(version, { what: 'the versions' })
    .addHelpText(
      'after',
      `
Output:
  stdout  text: firedrill and node, then the pins grouped as images, tools and local
          -o json|yaml: one document {firedrill, node, pinned: {images, tools, local}}

Exit codes:
  0  printed
  2  versions.json is malformed (the message names the field), or a bad option`,
    )
    .action((o: OutputCliOptions) => {
      const format = outputFormat(o);
      const d = versionDocument();
      process.stdout.write(format === 'text' ? formatVersion(d) : formatStructured(d, format));
    });
}
