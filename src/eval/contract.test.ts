import { expandAgentCommand, shellQuote } from './contract.js';

describe('the --agent command line', () => {
  it('quotes for /bin/sh only what needs it', () => {
    expect(shellQuote('/tmp/eval-x/t-1/snapshot')).toBe('/tmp/eval-x/t-1/snapshot');
    expect(shellQuote('/my tmp/a')).toBe(`'/my tmp/a'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
  });

  it('replaces the placeholders and leaves other braces alone', () => {
    const paths = { snapshot: '/w/snapshot', answer: '/w/answer/answer.json', answerDir: '/w/answer' };
    expect(expandAgentCommand('agent {snapshot} {answer} --out {answer_dir}', paths)).toBe(
      'agent /w/snapshot /w/answer/answer.json --out /w/answer',
    );
    expect(expandAgentCommand(`echo '{"entities": []}' > {answer}`, paths)).toBe(
      `echo '{"entities": []}' > /w/answer/answer.json`,
    );
    expect(expandAgentCommand('run "{snapshot}"', { ...paths, snapshot: '/a b' })).toBe(`run "'/a b'"`);
  });
});
