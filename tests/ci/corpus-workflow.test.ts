import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { CorpusLayout } from '../../src/corpus/corpus-layout.js';
import { REPO_ROOT } from '../../src/version.js';

interface Step {
  uses?: string;
  with?: { name?: string; path?: string };
}

/**
 * The corpus workflow's merged artifact is what people download and read: report.md links each bundle's
 * HTML report (`../reports/<id>.html`) and index.json names each archive (`packed/`), so those directories
 * must be uploaded with it.
 */
describe('.github/workflows/corpus.yml', () => {
  it('uploads the merged corpus with the packed bundles and the HTML reports report.md links', () => {
    const wf = parse(readFileSync(join(REPO_ROOT, '.github/workflows/corpus.yml'), 'utf8')) as {
      jobs: Record<string, { steps: Step[] }>;
    };
    const upload = wf.jobs.merge.steps.find(
      (s) => s.uses?.startsWith('actions/upload-artifact') && s.with?.name?.startsWith('corpus-'),
    );
    const paths = (upload?.with?.path ?? '').split('\n').map((p) => p.trim().replace(/\/$/, ''));
    const root = 'corpus-${{ matrix.substrate }}';
    const layout = new CorpusLayout(root);
    for (const dir of [layout.corpusDir, layout.packedDir, layout.reportsDir])
      expect(paths).toContain(`${root}/${relative(root, dir)}`);
  });
});
