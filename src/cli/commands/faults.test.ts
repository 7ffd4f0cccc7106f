import { FaultRegistry } from '../../faults/fault-registry.js';
import { testRegistry } from '../../faults/testing/test-fault.js';
import { describeParams, runFaults, type FaultListing } from './faults.js';

function run(json: boolean, registry: FaultRegistry) {
  const out: string[] = [];
  const code = runFaults({ json }, { stdout: (l) => out.push(l), registry });
  return { code, out };
}

describe('firedrill faults', () => {
  it('says plainly when no fault type is registered', () => {
    expect(run(false, new FaultRegistry())).toEqual({ code: 0, out: ['no fault types registered'] });
    expect(run(true, new FaultRegistry())).toEqual({ code: 0, out: ['[]'] });
  });

  it('lists id, description, needs, substrates, target kinds and params', () => {
    const { code, out } = run(false, testRegistry());
    expect(code).toBe(0);
    expect(out.slice(0, 7)).toEqual([
      'test-delay  Test-only: pretends to add latency to a workload.',
      '  needs:       objects',
      '  substrates:  local, kind, kubeconfig',
      '  targets:     Deployment, StatefulSet',
      '  also:        a precondition (spec.preconditions: the app deployed with it)',
      '  params:      delayMs (integer, required), jitterMs (integer, default 0)',
      '',
    ]);
    expect(out[7]).toMatch(/^test-dns /);
    // Substrates follow from needs: cluster DNS is something only the Kubernetes substrates provide.
    expect(out.slice(8, 10)).toEqual([
      '  needs:       objects, cluster-dns',
      '  substrates:  kind, kubeconfig',
    ]);
  });

  it('prints JSON with params as JSON Schema', () => {
    const { out } = run(true, testRegistry());
    const list = JSON.parse(out.join('\n')) as FaultListing[];
    expect(list.map((f) => f.id)).toEqual(['test-delay', 'test-dns', 'test-errors']);
    expect(list[2]).toMatchObject({
      needs: ['objects'],
      substrates: ['local', 'kind', 'kubeconfig'],
      targetKinds: ['Deployment', 'Service'],
      precondition: false,
      params: {
        type: 'object',
        required: ['rate'],
        properties: { rate: { type: 'number', minimum: 0, maximum: 1 } },
      },
    });
  });

  it('summarises params without properties as none', () => {
    expect(describeParams({ type: 'object', properties: {} })).toBe('(none)');
    expect(describeParams({ properties: { mode: { enum: ['a', 'b'] } } })).toBe('mode (a|b)');
  });
});
