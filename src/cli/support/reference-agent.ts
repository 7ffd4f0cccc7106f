import { runAgent } from '../../../agents/reference/run-agent.js';
import type { ReferenceAgent } from '../../corpus/difficulty.js';

/** The rule-based reference agent (agents/reference/), as the corpus's difficulty meter. */
export const referenceAgent: ReferenceAgent = async (snapshotDir) =>
  (await runAgent(snapshotDir)).answer.entities;
