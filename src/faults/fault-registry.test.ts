import { fakeTarget } from './testing/fake-target.js';
import { z } from 'zod';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { defaultCatalog, FAULT_TYPES } from './catalog.js';
import { FaultRegistry } from './fault-registry.js';
import type { AnyFaultType } from './fault-type.js';
import { paramsJsonSchema } from './params-json-schema.js';
import { testDelayFault, testErrorFault, testRegistry, type TestFaultJournal } from './testing/test-fault.js';
import { silentLogger } from '../logging/logger.js';

function fault(overrides: Partial<AnyFaultType>): AnyFaultType {
  return { ...testDelayFault(), ...overrides };
}

describe('FaultRegistry', () => {
  it('lists registered types sorted by id and looks them up', () => {
    const reg = new FaultRegistry([testErrorFault(), testDelayFault()]);
    expect(reg.ids()).toEqual(['test-delay', 'test-errors']);
    expect(reg.size).toBe(2);
    expect(reg.get('test-errors')?.needs).toEqual(['objects']);
    expect(reg.has('nope')).toBe(false);
    expect(reg.get('nope')).toBeUndefined();
  });

  it('require() names the known types when an id is unknown', () => {
    const reg = testRegistry();
    expect(() => reg.require('disk-full')).toThrow(InvalidInputError);
    expect(() => reg.require('disk-full')).toThrow(
      'unknown fault type "disk-full"; known types: test-delay, test-dns, test-errors',
    );
    expect(() => new FaultRegistry().require('x')).toThrow('no fault types are registered');
  });

  it.each([
    [{ id: 'test-delay' }, 'already registered'],
    [{ id: 'Bad_Id' }, 'kebab-case'],
    [{ needs: [] }, 'declares no needs'],
    [{ needs: ['docker'] as unknown as AnyFaultType['needs'] }, 'unknown capability "docker"'],
    [{ targetKinds: ['deploy'] }, 'target kind "deploy" is not a canonical kind name'],
    [{ targetKinds: [] }, 'declares no target kinds'],
    [{ description: ' ' }, 'description is empty'],
  ])('refuses a malformed declaration %j', (overrides, why) => {
    const reg = new FaultRegistry([testDelayFault()]);
    expect(() => reg.register(fault({ id: 'other', ...overrides }))).toThrow(why);
  });

  it('the default catalog holds exactly the shipped list and no test types', () => {
    const ids = defaultCatalog().ids();
    expect(ids).toEqual(FAULT_TYPES.map((t) => t.id).sort());
    expect(ids.filter((id) => id.startsWith('test-'))).toEqual([]);
  });

  it('returns a fresh default catalog each call', () => {
    const a = defaultCatalog();
    a.register(testDelayFault());
    expect(defaultCatalog().has('test-delay')).toBe(false);
  });

  it('exports params as JSON Schema with defaults on the input side', () => {
    const schema = paramsJsonSchema(testDelayFault());
    expect(schema.$schema).toBeUndefined();
    expect(schema.required).toEqual(['delayMs']);
    expect(schema.properties).toMatchObject({ jitterMs: { type: 'integer', default: 0 } });
  });

  it('does not fail on params zod cannot express in JSON Schema', () => {
    const odd = fault({ id: 'odd', params: z.object({ when: z.date() }) });
    expect(() => paramsJsonSchema(odd)).not.toThrow();
  });

  it('test faults record inject and undo', async () => {
    const journal: TestFaultJournal = { entries: [] };
    const type = testDelayFault(journal);
    const undo = await type.inject({
      substrate: 'local',
      target: fakeTarget(),
      entity: { namespace: 'shop', kind: 'Deployment', name: 'payment' },
      params: type.params.parse({ delayMs: 5 }),
      logger: silentLogger(),
      signal: new AbortController().signal,
    });
    await undo.undo();
    expect(journal.entries).toEqual([
      'inject test-delay shop/Deployment/payment 5ms',
      'undo test-delay shop/Deployment/payment',
    ]);
  });
});
