import { Command } from 'commander';
import { parse } from 'yaml';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import {
  addOutputOptions,
  formatStructured,
  OUTPUT_FORMATS,
  outputFormat,
  parseOutputFormat,
  printStructured,
} from './output-format.js';

describe('parseOutputFormat', () => {
  it.each(OUTPUT_FORMATS)('accepts %s', (f) => {
    expect(parseOutputFormat(f)).toBe(f);
  });

  it.each(['xml', 'JSON', '', 'yml'])('refuses %j naming the allowed values', (f) => {
    expect(() => parseOutputFormat(f)).toThrow(InvalidInputError);
    expect(() => parseOutputFormat(f)).toThrow(
      `-o/--output: unknown format "${f}"; use one of text, json, yaml`,
    );
  });
});

describe('outputFormat', () => {
  it('defaults to text and folds --json into json', () => {
    expect(outputFormat({})).toBe('text');
    expect(outputFormat({ output: 'yaml' })).toBe('yaml');
    expect(outputFormat({ json: true })).toBe('json');
    expect(outputFormat({ json: true, output: 'text' })).toBe('json');
    expect(outputFormat({ json: true, output: 'json' })).toBe('json');
  });

  it('refuses --json with -o yaml', () => {
    expect(() => outputFormat({ json: true, output: 'yaml' })).toThrow(
      '--json means -o json; it contradicts -o yaml',
    );
  });
});

describe('formatStructured', () => {
  const shared = { id: 'shop/Deployment/payment' };
  const value = {
    n: 1.5,
    list: [shared, shared],
    long: `${'x'.repeat(150)} y`,
    tricky: ['yes', 'on', '0.10', '', 'a: b', '- x', '#c', 'null'],
    nested: { empty: {}, none: [] as unknown[], nothing: null },
    dropped: undefined,
    when: new Date('2025-01-02T03:04:05.000Z'),
  };

  it('gives JSON and YAML that parse back to the same data', () => {
    const json = formatStructured(value, 'json');
    const yaml = formatStructured(value, 'yaml');
    expect(json.endsWith('}\n')).toBe(true);
    expect(yaml.endsWith('\n')).toBe(true);
    expect(parse(yaml)).toEqual(JSON.parse(json));
    expect(JSON.parse(json)).toEqual({
      n: 1.5,
      list: [shared, shared],
      long: value.long,
      tricky: value.tricky,
      nested: { empty: {}, none: [], nothing: null },
      when: '2025-01-02T03:04:05.000Z',
    });
  });

  it('writes YAML without anchors and without folding long strings', () => {
    const yaml = formatStructured(value, 'yaml');
    expect(yaml).not.toMatch(/[&*]a\d/);
    expect(yaml).toContain(`long: ${value.long}\n`);
  });

  it('keeps values JSON has no form for as JSON does', () => {
    const odd = { nan: NaN, inf: Infinity };
    expect(parse(formatStructured(odd, 'yaml'))).toEqual({ nan: null, inf: null });
    expect(formatStructured(undefined, 'json')).toBe('null\n');
  });

  it('prints through the writer it is given', () => {
    const out: string[] = [];
    printStructured([1, 2], 'yaml', (t) => out.push(t));
    expect(out).toEqual(['- 1\n- 2\n']);
  });
});

describe('addOutputOptions', () => {
  function parseArgs(args: string[], jsonAlias = false): Record<string, unknown> {
    const quiet = new Command('x').exitOverride().configureOutput({ writeErr: () => undefined });
    const cmd = addOutputOptions(quiet, { jsonAlias });
    cmd.parse(args, { from: 'user' });
    return cmd.opts();
  }

  it('adds -o with a text default and --json only where asked', () => {
    expect(parseArgs([])).toEqual({ output: 'text' });
    expect(parseArgs(['-o', 'yaml'])).toEqual({ output: 'yaml' });
    expect(parseArgs(['--output=json'])).toEqual({ output: 'json' });
    expect(parseArgs(['--json'], true)).toEqual({ output: 'text', json: true });
    expect(() => parseArgs(['--json'])).toThrow(/unknown option '--json'/);
  });

  it('fails while parsing, with InvalidInputError, for an unknown format', () => {
    expect(() => parseArgs(['-o', 'xml'])).toThrow(InvalidInputError);
  });
});
