/**
 * Corpora: many scenarios × repeats on one substrate, sharded across CI jobs, resumable, with validity
 * checks per task and an index and report (docs/corpus.md).
 */
export {
  runCorpus,
  type CorpusRunOptions,
  type CorpusRunResult,
  type RunFn,
  type RunLog,
} from './run-corpus.js';
export { mergeCorpora, type MergeOptions, type MergeResult } from './merge-corpora.js';
export { finalizeCorpus, type FinalizeOptions, type RunRecord } from './finalize-corpus.js';
export { planCorpus, parseShard, planLine, type PlannedRun, type PlanOptions, type Shard } from './plan.js';
export { CorpusLayout } from './corpus-layout.js';
export * from './corpus-index.js';
export { readCorpusIndex } from './read-index.js';
export {
  checkObservable,
  type ObservableResult,
  type Evidence,
  type RootCauseEvidence,
} from './observable-check.js';
export { seriesMovement, type Movement, type MovementOptions } from './metric-movement.js';
export {
  stabilityChecks,
  firingAlertKeys,
  alertKey,
  jaccard,
  DEFAULT_STABILITY_THRESHOLD,
  type StabilityInput,
} from '../compare/stability.js';
export { recordManifestChecks } from './manifest-checks.js';
export { renderReport } from './render-report.js';
export { CorpusProgress } from './corpus-progress.js';
export { loadCorpusScenarios, type CorpusScenarios } from './load-corpus-scenarios.js';
