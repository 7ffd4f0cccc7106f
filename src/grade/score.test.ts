import type { GroundTruth } from '../bundle/ground-truth.js';
import { parseAnswer, type ParsedAnswer } from './answer.js';
import { compileTruth } from './compile-truth.js';
import { scoreAnswer, scoreCompiled, scoreToJson } from './score.js';

function truth(rootCauses: Array<{ id: string; aliases?: string[] }>): GroundTruth {
  return {
    format: 1,
    scenarioId: 'test',
    rootCauses: rootCauses.map((rc) => ({ id: rc.id, aliases: rc.aliases ?? [] })),
    faults: [],
    injectedAt: null,
    manifestedAt: null,
    expectedAlerts: [],
    firedAlerts: [],
  };
}

/** One root cause with two aliases. */
const ONE = truth([
  { id: 'shop/Deployment/checkout', aliases: ['shop/Pod/checkout-0', 'shop/Service/checkout'] },
]);
/** Two root causes: A = payment (with aliases), B = payment-config. */
const TWO = truth([
  { id: 'shop/Deployment/payment', aliases: ['shop/Pod/payment-5f6d7c8b94-h8j2k', 'shop/Service/payment'] },
  { id: 'shop/ConfigMap/payment-config' },
]);
/** Two root causes sharing an alias (one Service selecting both Deployments). */
const SHARED = truth([
  { id: 'shop/Deployment/cart-v1', aliases: ['shop/Service/cart'] },
  { id: 'shop/Deployment/cart-v2', aliases: ['shop/Service/cart'] },
]);

const CO = 'shop/Deployment/checkout';
const PAY = 'shop/Deployment/payment';
const CFG = 'shop/ConfigMap/payment-config';
const FE = 'shop/Deployment/frontend';
const CART = 'shop/Deployment/cart';

const answer = (...entries: Array<string | null>): ParsedAnswer => ({ entries, warnings: [] });

interface Vector {
  name: string;
  truth: GroundTruth;
  answer: ParsedAnswer;
  ap: number;
  precision: number;
  recall: number;
  f1: number;
  /** AC@1..5 */
  ac: [number, number, number, number, number];
  unmatched?: string[];
}

// precision@k = relevant in top k / k; AP@full recall = mean over root causes of precision@(first-match rank).
// Set precision = matched root causes / distinct predictions; f1 = 2pr/(p+r).
// prettier-ignore
const VECTORS: Vector[] = [
  // rank 1: P@1 = 1/1 → AP 1; p = 1/1; r = 1
  { name: 'single root cause at rank 1', truth: ONE, answer: answer(CO), ap: 1, precision: 1, recall: 1, f1: 1, ac: [1, 1, 1, 1, 1] },
  // rank 2: P@2 = 1/2 → AP 0.5; p = 1/2; f1 = 2·½·1/(½+1) = 2/3
  { name: 'single root cause at rank 2', truth: ONE, answer: answer(FE, CO), ap: 1 / 2, precision: 1 / 2, recall: 1, f1: 2 / 3, ac: [0, 1, 1, 1, 1] },
  // rank 3: P@3 = 1/3 → AP 1/3; p = 1/3; f1 = 2·⅓·1/(⅓+1) = 1/2
  { name: 'single root cause at rank 3', truth: ONE, answer: answer(FE, CART, CO), ap: 1 / 3, precision: 1 / 3, recall: 1, f1: 1 / 2, ac: [0, 0, 1, 1, 1] },
  // A at 1: P@1 = 1/1; B at 3: P@3 = 2/3 → AP (1/1 + 2/3)/2 = 5/6; p = 2/3; f1 = 2·⅔·1/(⅔+1) = 4/5
  { name: 'two root causes at ranks (1,3)', truth: TWO, answer: answer(PAY, FE, CFG), ap: (1 / 1 + 2 / 3) / 2, precision: 2 / 3, recall: 1, f1: 4 / 5, ac: [0, 0, 1, 1, 1] },
  // B at 1: 1/1; A at 2: 2/2 → AP 1; order among root causes does not matter
  { name: 'two root causes at ranks (2,1)', truth: TWO, answer: answer(CFG, PAY), ap: 1, precision: 1, recall: 1, f1: 1, ac: [0, 1, 1, 1, 1] },
  // alias of the single root cause at rank 1, kind written as a short name → AP 1
  { name: 'alias (pod, short kind)', truth: ONE, answer: answer('shop/po/checkout-0'), ap: 1, precision: 1, recall: 1, f1: 1, ac: [1, 1, 1, 1, 1] },
  // service alias of A at 1 (1/1), B at 2 (2/2) → AP 1
  { name: 'aliases for both root causes', truth: TWO, answer: answer('shop/svc/payment', 'shop/cm/payment-config'), ap: 1, precision: 1, recall: 1, f1: 1, ac: [0, 1, 1, 1, 1] },
  // FE at 1 (FP), FE again at 2 (FP, same id), CO at 3: P@3 = 1/3 → AP 1/3; distinct {FE, CO} → p 1/2; f1 2/3
  { name: 'duplicate before the match', truth: ONE, answer: answer(FE, FE, CO), ap: 1 / 3, precision: 1 / 2, recall: 1, f1: 2 / 3, ac: [0, 0, 1, 1, 1] },
  // CO at 1: P@1 = 1 → AP 1; repeats after it collapse in the set → p 1/1
  { name: 'duplicate after the match', truth: ONE, answer: answer(CO, CO, CO), ap: 1, precision: 1, recall: 1, f1: 1, ac: [1, 1, 1, 1, 1] },
  // CO at 1 → AP 1; its pod alias at 2 is a distinct id but no new root cause → p 1/2; f1 2/3
  { name: 'second alias after the match', truth: ONE, answer: answer(CO, 'shop/Pod/checkout-0'), ap: 1, precision: 1 / 2, recall: 1, f1: 2 / 3, ac: [1, 1, 1, 1, 1] },
  // A at 1 (1/1); A's pod at 2 is not relevant again; B at 3: P@3 = 2/3 → AP 5/6 (no better than a stranger at 2);
  // distinct {PAY, pod, CFG} → p 2/3; f1 4/5
  { name: 'alias of a matched root cause before the next', truth: TWO, answer: answer(PAY, 'shop/Pod/payment-5f6d7c8b94-h8j2k', CFG), ap: 5 / 6, precision: 2 / 3, recall: 1, f1: 4 / 5, ac: [0, 0, 1, 1, 1] },
  // same id repeated at 2: P@3 = 2/3 → AP 5/6; distinct {PAY, CFG} → p 1; repetition buys nothing in AP
  { name: 'exact repeat of a matched root cause before the next', truth: TWO, answer: answer(PAY, PAY, CFG), ap: 5 / 6, precision: 1, recall: 1, f1: 1, ac: [0, 0, 1, 1, 1] },
  // FP at 1, CO at 2 (1/2), FP at 3 → AP 1/2; p 1/3; f1 2·⅓·1/(⅓+1) = 1/2
  { name: 'false positives before and after', truth: ONE, answer: answer(FE, CO, CART), ap: 1 / 2, precision: 1 / 3, recall: 1, f1: 1 / 2, ac: [0, 1, 1, 1, 1] },
  // CO at 1 → AP 1; trailing FPs only cost set precision: p 1/3; f1 1/2
  { name: 'false positives only after', truth: ONE, answer: answer(CO, FE, CART), ap: 1, precision: 1 / 3, recall: 1, f1: 1 / 2, ac: [1, 1, 1, 1, 1] },
  // B never named → AP 0; p 1/2; r 1/2; f1 1/2; AC all 0
  { name: 'a root cause unmatched', truth: TWO, answer: answer(PAY, FE), ap: 0, precision: 1 / 2, recall: 1 / 2, f1: 1 / 2, ac: [0, 0, 0, 0, 0], unmatched: [CFG] },
  { name: 'empty answer', truth: ONE, answer: answer(), ap: 0, precision: 0, recall: 0, f1: 0, ac: [0, 0, 0, 0, 0], unmatched: [CO] },
  // nothing relevant: p 0/2, r 0 → f1 0
  { name: 'only wrong predictions', truth: ONE, answer: answer(FE, CART), ap: 0, precision: 0, recall: 0, f1: 0, ac: [0, 0, 0, 0, 0], unmatched: [CO] },
  // 'checkout' has no kind: wrong prediction at rank 1; CO at 2 → AP 1/2; p 1/2
  { name: 'unparseable entry', truth: ONE, answer: answer('checkout', CO), ap: 1 / 2, precision: 1 / 2, recall: 1, f1: 2 / 3, ac: [0, 1, 1, 1, 1] },
  // an entry with no id at all holds rank 1 → AP 1/2
  { name: 'entry without an id', truth: ONE, answer: answer(null, CO), ap: 1 / 2, precision: 1 / 2, recall: 1, f1: 2 / 3, ac: [0, 1, 1, 1, 1] },
  { name: 'kind written as deploy', truth: ONE, answer: answer('shop/deploy/checkout'), ap: 1, precision: 1, recall: 1, f1: 1, ac: [1, 1, 1, 1, 1] },
  { name: 'kind written as Deployments', truth: ONE, answer: answer('shop/Deployments/checkout'), ap: 1, precision: 1, recall: 1, f1: 1, ac: [1, 1, 1, 1, 1] },
  // kind spellings of one id dedupe: rank 2 is a repeat of rank 1 → p 1/1
  { name: 'same id spelt two ways', truth: ONE, answer: answer('shop/DEPLOYMENT/checkout', ' shop/deploy/checkout '), ap: 1, precision: 1, recall: 1, f1: 1, ac: [1, 1, 1, 1, 1] },
  // the shared Service matches the first unmatched (v1) at 1; v2 at 2 (2/2) → AP 1
  { name: 'shared alias then the other root cause', truth: SHARED, answer: answer('shop/Service/cart', 'shop/Deployment/cart-v2'), ap: 1, precision: 1, recall: 1, f1: 1, ac: [0, 1, 1, 1, 1] },
  // the shared Service twice is one distinct prediction and matches only v1 → v2 unmatched → 0; p 1/1, r 1/2
  { name: 'shared alias repeated', truth: SHARED, answer: answer('shop/Service/cart', 'shop/Service/cart'), ap: 0, precision: 1, recall: 1 / 2, f1: 2 / 3, ac: [0, 0, 0, 0, 0], unmatched: ['shop/Deployment/cart-v2'] },
  // greedy, as documented: the Service takes v1 at rank 1, so v1's own id at 2 matches nothing new
  { name: 'shared alias then the first root cause', truth: SHARED, answer: answer('shop/Service/cart', 'shop/Deployment/cart-v1'), ap: 0, precision: 1 / 2, recall: 1 / 2, f1: 1 / 2, ac: [0, 0, 0, 0, 0], unmatched: ['shop/Deployment/cart-v2'] },
  // five-deep: A at 4 (1/4), B at 5 (2/5) → AP (1/4 + 2/5)/2 = 13/40; p 2/5; f1 2·⅖·1/(⅖+1) = 4/7
  { name: 'two root causes at ranks (4,5)', truth: TWO, answer: answer(FE, CART, CO, PAY, CFG), ap: 13 / 40, precision: 2 / 5, recall: 1, f1: 4 / 7, ac: [0, 0, 0, 0, 1] },
];

describe('scoreAnswer vectors', () => {
  it.each(VECTORS.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const s = scoreAnswer(v.truth, v.answer);
    expect(s.apFullRecall).toBeCloseTo(v.ap, 12);
    expect(s.precision).toBeCloseTo(v.precision, 12);
    expect(s.recall).toBeCloseTo(v.recall, 12);
    expect(s.f1).toBeCloseTo(v.f1, 12);
    // ITBench-AA's rule: set precision once every root cause is named, else nothing
    expect(s.precisionAtFullRecall).toBeCloseTo(v.recall === 1 ? v.precision : 0, 12);
    expect([s.acAt['1'], s.acAt['2'], s.acAt['3'], s.acAt['4'], s.acAt['5']]).toEqual(v.ac);
    expect(s.unmatched).toEqual(v.unmatched ?? []);
    expect(s.matched.length + s.unmatched.length).toBe(v.truth.rootCauses.length);
  });
});

describe('scoreAnswer details', () => {
  it('reports matched root causes in truth order with the rank that matched them', () => {
    const s = scoreAnswer(TWO, answer(CFG, FE, 'shop/svc/payment'));
    expect(s.matched).toEqual([PAY, CFG]);
    expect(s.matchedRanks).toEqual([3, 1]);
    // B at 1 (1/1), A at 3 (2/3)
    expect(s.apFullRecall).toBeCloseTo((1 + 2 / 3) / 2, 12);
  });

  it('warns once per distinct unparseable entry, naming its rank', () => {
    const s = scoreAnswer(ONE, answer('checkout', 'checkout', 'shop/Widget/x', CO));
    expect(s.warnings).toHaveLength(2);
    expect(s.warnings[0]).toMatch(/^entry 1: .*checkout.*wrong prediction/);
    expect(s.warnings[1]).toMatch(/^entry 3: .*unknown kind "Widget"/);
    // ranks 1-3 wrong, CO at 4 → AP 1/4; distinct {checkout, Widget, CO} → p 1/3
    expect(s.apFullRecall).toBeCloseTo(1 / 4, 12);
    expect(s.precision).toBeCloseTo(1 / 3, 12);
  });

  it('grades object entries with name or id through parseAnswer', () => {
    const parsed = parseAnswer({
      entities: [{ name: FE, contributing_factor: true }, { id: 'shop/deploy/checkout' }],
    });
    // FE at 1, CO at 2 → AP 1/2
    expect(scoreAnswer(ONE, parsed).apFullRecall).toBeCloseTo(1 / 2, 12);
  });

  it('carries answer and truth warnings into the score', () => {
    const badTruth = truth([{ id: 'shop/Deployment/checkout', aliases: ['not an id'] }]);
    const s = scoreAnswer(badTruth, { entries: [CO], warnings: ['from the answer'] });
    expect(s.warnings[0]).toBe('from the answer');
    expect(s.warnings[1]).toMatch(/alias ignored/);
    expect(s.apFullRecall).toBe(1);
  });

  it('matches a root cause whose id is written with a kind alias in the truth', () => {
    const t = truth([{ id: 'shop/deploy/checkout', aliases: ['shop/po/checkout-0'] }]);
    const s = scoreAnswer(t, answer('shop/Pod/checkout-0'));
    expect(s.matched).toEqual([CO]);
  });

  it('gives the same result from a compiled truth reused across answers', () => {
    const compiled = compileTruth(TWO);
    const a = answer(PAY, FE, CFG);
    expect(scoreCompiled(compiled, a)).toEqual(scoreAnswer(TWO, a));
    expect(scoreCompiled(compiled, answer(CFG)).unmatched).toEqual([PAY]);
  });

  it('serialises to the documented JSON shape', () => {
    const json = scoreToJson(scoreAnswer(TWO, answer(PAY, FE, CFG)));
    expect(Object.keys(json)).toEqual([
      'apFullRecall',
      'precisionAtFullRecall',
      'precision',
      'recall',
      'f1',
      'acAt',
      'matched',
      'unmatched',
      'warnings',
    ]);
    expect(json.acAt).toEqual({ '1': 0, '2': 0, '3': 1, '4': 1, '5': 1 });
  });
});

describe('precisionAtFullRecall', () => {
  it('ignores order, unlike apFullRecall', () => {
    const first = scoreAnswer(TWO, answer(PAY, CFG, FE));
    const last = scoreAnswer(TWO, answer(FE, CFG, PAY));
    expect(first.precisionAtFullRecall).toBeCloseTo(2 / 3, 12);
    expect(last.precisionAtFullRecall).toBeCloseTo(2 / 3, 12);
    expect(first.apFullRecall).toBe(1);
    expect(last.apFullRecall).toBeCloseTo((1 / 2 + 2 / 3) / 2, 12);
  });

  it('is 0 while a root cause is missing, however precise the rest', () => {
    expect(scoreAnswer(TWO, answer(PAY)).precisionAtFullRecall).toBe(0);
  });

  it('counts a second alias of a named root cause as a false positive, and a repeat not at all', () => {
    expect(scoreAnswer(ONE, answer(CO, 'shop/Pod/checkout-0')).precisionAtFullRecall).toBeCloseTo(1 / 2, 12);
    expect(scoreAnswer(ONE, answer(CO, 'shop/deploy/checkout')).precisionAtFullRecall).toBe(1);
  });
});

describe('the worked example in docs/grading.md', () => {
  it('scores as documented', () => {
    const s = scoreAnswer(
      TWO,
      answer(
        'shop/po/payment-5f6d7c8b94-h8j2k',
        'shop/deploy/frontend',
        PAY,
        'shop/cm/payment-config',
        'shop/po/payment-5f6d7c8b94-h8j2k',
      ),
    );
    // A at 1 (1/1), B at 4 (2/4) → AP (1 + 1/2)/2 = 3/4; distinct 4 → p 2/4; f1 2·½·1/1.5 = 2/3
    expect(s.apFullRecall).toBeCloseTo(3 / 4, 12);
    expect(s.precision).toBeCloseTo(1 / 2, 12);
    expect(s.precisionAtFullRecall).toBeCloseTo(1 / 2, 12);
    expect(s.recall).toBe(1);
    expect(s.f1).toBeCloseTo(2 / 3, 12);
    expect(s.acAt).toEqual({ '1': 0, '2': 0, '3': 0, '4': 1, '5': 1 });
    expect(s.matchedRanks).toEqual([1, 4]);
  });
});
