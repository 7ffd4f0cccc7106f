import type { Evidence } from './evidence.js';
import type { Ranking } from './rank.js';

/** The answer file's shape (docs/grading.md): entity ids, most likely root cause first. */
export interface Answer {
  entities: string[];
}

/** What one run of the agent produced: the answer and everything behind it. */
export interface AgentResult {
  answer: Answer;
  ranking: Ranking;
  evidence: Evidence;
  warnings: string[];
}
