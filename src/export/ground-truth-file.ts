import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GroundTruth } from '../bundle/ground-truth.js';

/** The bundle's ground truth as every exporter hands it out: the record itself, beside the format's own key. */
export const GROUND_TRUTH_FILE = 'ground_truth.json';

/** Writes `<truthDir>/ground_truth.json` (never overwriting, like every exported file). */
export async function writeGroundTruth(truthDir: string, truth: GroundTruth): Promise<void> {
  await writeFile(join(truthDir, GROUND_TRUTH_FILE), `${JSON.stringify(truth, null, 2)}\n`, { flag: 'wx' });
}
