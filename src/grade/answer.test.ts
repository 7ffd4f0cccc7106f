import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAnswer } from './answer.js';
import { readAnswerFile } from './read-answer.js';

describe('parseAnswer', () => {
  it('keeps strings and name/id fields in rank order', () => {
    const a = parseAnswer({
      entities: ['shop/deploy/cart', { name: 'shop/Pod/cart-0', reasoning: 'x' }, { id: 'shop/svc/cart' }],
    });
    expect(a.entries).toEqual(['shop/deploy/cart', 'shop/Pod/cart-0', 'shop/svc/cart']);
    expect(a.warnings).toEqual([]);
  });

  it('prefers name over id (ITBench writes a descriptive id beside the name)', () => {
    const a = parseAnswer({ entities: [{ id: 'Deployment/cart uid 1234', name: 'shop/Deployment/cart' }] });
    expect(a.entries).toEqual(['shop/Deployment/cart']);
  });

  it('skips entities marked contributing_factor: false without giving them a rank', () => {
    const a = parseAnswer({
      entities: [
        { name: 'shop/Deployment/frontend', contributing_factor: false },
        { name: 'shop/Deployment/cart', contributing_factor: true },
      ],
    });
    expect(a.entries).toEqual(['shop/Deployment/cart']);
  });

  it('holds the rank of entries without an id and warns', () => {
    const a = parseAnswer({ entities: [42, { reasoning: 'no name' }, null, 'shop/Deployment/cart'] });
    expect(a.entries).toEqual([null, null, null, 'shop/Deployment/cart']);
    expect(a.warnings).toHaveLength(3);
    expect(a.warnings[0]).toMatch(/^entry 1 is number/);
    expect(a.warnings[1]).toMatch(/^entry 2 has no string "name" or "id"/);
    expect(a.warnings[2]).toMatch(/^entry 3 is null/);
  });

  it('accepts a bare array with a warning', () => {
    const a = parseAnswer(['shop/Deployment/cart']);
    expect(a.entries).toEqual(['shop/Deployment/cart']);
    expect(a.warnings[0]).toMatch(/bare array/);
  });

  it.each([
    [null, 'the document is null'],
    ['shop/Deployment/cart', 'the document is string'],
    [{ entity: ['shop/Deployment/cart'] }, '"entities" is missing'],
    [{ entities: 'shop/Deployment/cart' }, '"entities" is missing or not an array'],
  ])('treats %j as an empty answer', (doc, why) => {
    const a = parseAnswer(doc);
    expect(a.entries).toEqual([]);
    expect(a.warnings[0]).toContain(why);
    expect(a.warnings[0]).toContain('malformed answer');
  });

  it('warns about an empty list', () => {
    expect(parseAnswer({ entities: [] }).warnings).toEqual(['answer lists no entities']);
  });
});

describe('readAnswerFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-answer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a valid file', async () => {
    const p = join(dir, 'ok.json');
    await writeFile(p, JSON.stringify({ entities: ['shop/Deployment/cart'] }));
    expect(await readAnswerFile(p)).toEqual({ entries: ['shop/Deployment/cart'], warnings: [] });
  });

  it('prefixes document warnings with the file', async () => {
    const p = join(dir, 'odd.json');
    await writeFile(p, JSON.stringify({ entities: [7] }));
    const a = await readAnswerFile(p);
    expect(a.warnings[0]).toMatch(
      new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: entry 1 is number`),
    );
  });

  it.each([
    ['missing.json', null, /not found; scored 0/],
    ['empty.json', '  \n', /is empty; scored 0/],
    ['truncated.json', '{"entities": ["shop/Deployment/cart",', /is not valid JSON/],
  ])('never throws for %s', async (name, content, why) => {
    const p = join(dir, name);
    if (content !== null) await writeFile(p, content);
    const a = await readAnswerFile(p);
    expect(a.entries).toEqual([]);
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toMatch(why);
    expect(a.warnings[0]).toContain(p);
  });

  it('reports a directory given as the answer', async () => {
    const p = join(dir, 'adir');
    await mkdir(p);
    const a = await readAnswerFile(p);
    expect(a.entries).toEqual([]);
    expect(a.warnings[0]).toMatch(/is a directory/);
  });
});
