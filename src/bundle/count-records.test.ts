import { countJsonRecords, countLines, recordKind } from './count-records.js';

describe('record counting', () => {
  it.each([
    ['snapshot/logs.ndjson', 'ndjson'],
    ['snapshot/topology.json', 'json'],
    ['snapshot/task.md', 'lines'],
    ['truth/notes.txt', 'lines'],
  ])('%s counts as %s', (rel, kind) => {
    expect(recordKind(rel)).toBe(kind);
  });

  it('counts array items, active alerts, else one document', () => {
    expect(countJsonRecords('snapshot/x.json', [1, 2, 3])).toBe(3);
    expect(countJsonRecords('snapshot/alerts.json', { active: [{}, {}], timeline: [{}, {}, {}] })).toBe(2);
    expect(countJsonRecords('snapshot/topology.json', { entities: [1, 2], edges: [] })).toBe(1);
    expect(countJsonRecords('snapshot/other.json', { active: [1, 2] })).toBe(1);
  });

  it.each([
    ['', 0],
    ['a', 1],
    ['a\n', 1],
    ['a\nb', 2],
    ['a\n\nb\n', 3],
  ])('%j has %d lines', (text, n) => {
    expect(countLines(text)).toBe(n);
  });
});
