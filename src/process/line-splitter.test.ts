import { LineSplitter } from './line-splitter.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks and strips CR', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('alpha\r\nbe');
    s.push('ta\n\ngam');
    expect(lines).toEqual(['alpha', 'beta', '']);
    s.push('ma');
    s.end();
    expect(lines).toEqual(['alpha', 'beta', '', 'gamma']);
  });

  it('splits runaway lines at the limit', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 4);
    s.push('abcdefghij');
    expect(lines).toEqual(['abcd', 'efgh']);
    s.push('k\n');
    expect(lines).toEqual(['abcd', 'efgh', 'ijk']);
  });
});
