import type { GroundTruth } from '../bundle/ground-truth.js';
import type { EntityId } from '../entities/index.js';
import { capWarnings, type ParsedAnswer } from './answer.js';
import { compiledTruthOf, type CompiledTruth } from './compile-truth.js';
import { normaliseCached } from './normalise-cached.js';

export const AC_KS = ['1', '2', '3', '4', '5'] as const;
export type AcK = (typeof AC_KS)[number];
/** AC@k: 1 when every root cause is matched within the first k predictions. Means of it in aggregates. */
export type AcAt = Record<AcK, number>;

export interface Metrics {
  /** Average precision at full recall, the headline: 0 unless every root cause is matched. */
  apFullRecall: number;
  /**
   * ITBench-AA's rule, order-free: 0 unless every root cause is matched, else the share of distinct
   * predictions that are true positives (set precision at full recall).
   */
  precisionAtFullRecall: number;
  /** Root causes matched / distinct predictions (deduplicated by canonical id). */
  precision: number;
  /** Root causes matched / root causes. */
  recall: number;
  f1: number;
  acAt: AcAt;
}

export interface Score extends Metrics {
  /** Matched root-cause ids, truth order. */
  matched: EntityId[];
  /** 1-based rank of the prediction that matched each of `matched` (parallel array). */
  matchedRanks: number[];
  unmatched: EntityId[];
  warnings: string[];
}

/** Score one answer. The truth is compiled once per object (memoised), so loops over answers stay cheap. */
export function scoreAnswer(truth: GroundTruth, answer: ParsedAnswer): Score {
  return scoreCompiled(compiledTruthOf(truth), answer);
}

/**
 * The scoring core; definitions and the reasoning behind the edge cases are in docs/grading.md.
 * Every entry occupies its rank. An entry is relevant only when it is the first to match some root cause;
 * a repeat of an id already seen, a second alias of a matched root cause, an unknown or an unparseable
 * entry are all false positives at their rank. Set metrics count distinct entries (by canonical id).
 */
export function scoreCompiled(truth: CompiledTruth, answer: ParsedAnswer): Score {
  const n = truth.rootCauseIds.length;
  const rankOf = new Array<number>(n).fill(0);
  const seen = new Set<string>();
  const warnings: string[] =
    truth.warnings.length > 0 ? [...answer.warnings, ...truth.warnings] : [...answer.warnings];
  let distinct = 0;
  let relevant = 0;
  let precisionSum = 0;
  let lastMatchRank = 0;

  const entries = answer.entries;
  for (let i = 0; i < entries.length; i++) {
    const rank = i + 1;
    const entry = entries[i];
    if (entry === null) {
      distinct++;
      continue;
    }
    const norm = normaliseCached(entry);
    // Unparseable text is keyed apart from canonical ids so it can never collide with one.
    const key = norm.ok ? norm.id : `\u0000${entry.trim()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    distinct++;
    if (!norm.ok) {
      warnings.push(`entry ${rank}: ${norm.error}; counted as a wrong prediction`);
      continue;
    }
    const slots = truth.index.get(norm.id);
    if (slots === undefined) continue;
    for (const s of slots) {
      if (rankOf[s] === 0) {
        rankOf[s] = rank;
        relevant++;
        precisionSum += relevant / rank;
        lastMatchRank = rank;
        break;
      }
    }
  }

  const fullRecall = relevant === n;
  const recall = relevant / n;
  const precision = distinct === 0 ? 0 : relevant / distinct;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const acAt = {} as AcAt;
  for (const k of AC_KS) acAt[k] = fullRecall && lastMatchRank <= Number(k) ? 1 : 0;

  const matched: EntityId[] = [];
  const matchedRanks: number[] = [];
  const unmatched: EntityId[] = [];
  for (let s = 0; s < n; s++) {
    if (rankOf[s] === 0) unmatched.push(truth.rootCauseIds[s]);
    else {
      matched.push(truth.rootCauseIds[s]);
      matchedRanks.push(rankOf[s]);
    }
  }
  return {
    apFullRecall: fullRecall ? precisionSum / n : 0,
    precisionAtFullRecall: fullRecall ? precision : 0,
    precision,
    recall,
    f1,
    acAt,
    matched,
    matchedRanks,
    unmatched,
    warnings: capWarnings(warnings),
  };
}

/** The documented `--json` shape of one score (field order fixed). */
export interface ScoreJson extends Metrics {
  matched: EntityId[];
  unmatched: EntityId[];
  warnings: string[];
}

export function scoreToJson(s: Score): ScoreJson {
  return {
    apFullRecall: s.apFullRecall,
    precisionAtFullRecall: s.precisionAtFullRecall,
    precision: s.precision,
    recall: s.recall,
    f1: s.f1,
    acAt: { ...s.acAt },
    matched: s.matched,
    unmatched: s.unmatched,
    warnings: s.warnings,
  };
}
