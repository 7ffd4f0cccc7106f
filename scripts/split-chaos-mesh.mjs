// Splits `helm template` output of Chaos Mesh's chart into <out>/crds.yaml and <out>/chaos-mesh.yaml,
// emptying what the chart generates anew on every render (certificates, the webhooks' caBundle), which
// firedrill fills at install. Used by scripts/render-chaos-mesh.sh.
// Usage: node scripts/split-chaos-mesh.mjs <helm output> <out dir>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const [input, out] = process.argv.slice(2);
if (!input || !out) {
  console.error('usage: node scripts/split-chaos-mesh.mjs <helm output> <out dir>');
  process.exit(2);
}
const docs = parseAllDocuments(readFileSync(input, 'utf8'))
  .map((d) => d.toJS())
  .filter((o) => o && typeof o === 'object' && o.kind);

// The chart leaves some fields empty (`namespace:` on cluster-scoped objects), which kubectl ignores.
const dropNulls = (v) => {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, dropNulls(x)]),
    );
  return v;
};
for (const [i, o] of docs.entries()) docs[i] = dropNulls(o);

for (const o of docs) {
  if (o.kind === 'Secret' && o.data) {
    for (const k of Object.keys(o.data)) o.data[k] = '';
  }
  for (const hook of o.webhooks ?? []) {
    if (hook.clientConfig) delete hook.clientConfig.caBundle;
  }
}
const header = (what) =>
  `# Chaos Mesh ${what}, rendered by scripts/render-chaos-mesh.sh from the chart of the module\n` +
  `# tools/chaos-mesh/go.mod pins. Do not edit: change the script's values and render again.\n`;
const render = (list) => list.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
mkdirSync(out, { recursive: true });
const crds = docs.filter((o) => o.kind === 'CustomResourceDefinition');
// `helm install --create-namespace` makes the release's namespace; `helm template` renders none
const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'chaos-mesh' } };
const rest = [namespace, ...docs.filter((o) => o.kind !== 'CustomResourceDefinition')];
writeFileSync(join(out, 'crds.yaml'), header('CustomResourceDefinitions') + render(crds));
writeFileSync(
  join(out, 'chaos-mesh.yaml'),
  header('(controller, daemon, DNS server, webhooks)') + render(rest),
);
console.error(`split-chaos-mesh: ${crds.length} CRDs, ${rest.length} other objects → ${out}`);
