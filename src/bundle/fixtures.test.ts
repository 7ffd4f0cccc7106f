import { join } from 'node:path';
import { openBundle } from './bundle-reader.js';
import { sampleGroundTruth } from './testing/sample-bundle.js';
import { verifyBundle } from './verify.js';

const FIXTURE = join(process.cwd(), 'tests', 'fixtures', 'bundle', 'sample-r0');

describe('tests/fixtures/bundle/sample-r0', () => {
  it('is an intact format-1 bundle with the sample ground truth', async () => {
    const v = await verifyBundle(FIXTURE);
    expect(v.problems).toEqual([]);
    expect(v.warnings).toEqual([]);
    const b = await openBundle(FIXTURE);
    expect(await b.groundTruth()).toEqual(sampleGroundTruth());
  });
});
