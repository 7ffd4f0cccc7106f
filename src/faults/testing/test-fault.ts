import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultContext, FaultType, Undo } from '../fault-type.js';
import { FaultRegistry } from '../fault-registry.js';

/**
 * Fault types for tests only: never registered in the default catalog. They let the scenario validator,
 * the registry and the CLI be exercised before (and independently of) the real catalog.
 */

const delayParams = z.strictObject({
  delayMs: z.number().int().min(1).max(60_000).meta({ description: 'Added latency per request' }),
  jitterMs: z.number().int().min(0).default(0),
});
export type TestDelayParams = z.output<typeof delayParams>;

/** What the test faults did, so a test can check inject and undo ran and in which order. */
export interface TestFaultJournal {
  readonly entries: string[];
}

export function testDelayFault(journal: TestFaultJournal = { entries: [] }): FaultType<TestDelayParams> {
  return {
    id: 'test-delay',
    description: 'Test-only: pretends to add latency to a workload.',
    params: delayParams,
    needs: ['objects'],
    targetKinds: ['Deployment', 'StatefulSet'],
    groundTruth: (target) => [formatEntityId(target)],
    expectedAlerts: () => ['TestHighLatency'],
    // As a precondition: the Deployment deployed with an annotation naming the delay.
    asDeployed(manifests, target, params) {
      const d = manifests.find((o) => o.kind === target.kind && o.metadata.name === target.name);
      if (!d) throw new Error(`no ${formatEntityId(target)} in the manifests`);
      d.metadata.annotations = {
        ...d.metadata.annotations,
        'test.firedrill.dev/delay-ms': String(params.delayMs),
      };
      journal.entries.push(`deploy ${formatEntityId(target)} with test-delay ${params.delayMs}ms`);
    },
    async inject(ctx: FaultContext<TestDelayParams>): Promise<Undo> {
      const id = formatEntityId(ctx.entity);
      journal.entries.push(`inject test-delay ${id} ${ctx.params.delayMs}ms`);
      return {
        description: `remove test delay from ${id}`,
        undo: async () => {
          journal.entries.push(`undo test-delay ${id}`);
        },
      };
    },
  };
}

const errorParams = z.strictObject({
  rate: z.number().min(0).max(1),
});
export type TestErrorParams = z.output<typeof errorParams>;

export function testErrorFault(journal: TestFaultJournal = { entries: [] }): FaultType<TestErrorParams> {
  return {
    id: 'test-errors',
    description: 'Test-only: pretends to make a service fail a share of its requests.',
    params: errorParams,
    needs: ['objects'],
    targetKinds: ['Deployment', 'Service'],
    groundTruth: (target) => [formatEntityId(target)],
    expectedAlerts: () => ['TestHighErrorRate', 'TestHighLatency'],
    async inject(ctx: FaultContext<TestErrorParams>): Promise<Undo> {
      const id = formatEntityId(ctx.entity);
      journal.entries.push(`inject test-errors ${id} ${ctx.params.rate}`);
      return {
        description: `stop test errors on ${id}`,
        undo: async () => {
          journal.entries.push(`undo test-errors ${id}`);
        },
      };
    },
  };
}

/** Needs what only a real cluster provides, so validation across substrates can be tested. */
export function testDnsFault(journal: TestFaultJournal = { entries: [] }): FaultType<Record<string, never>> {
  return {
    id: 'test-dns',
    description: 'Test-only: pretends to break cluster DNS for a workload.',
    params: z.strictObject({}),
    needs: ['objects', 'cluster-dns'],
    targetKinds: ['Deployment'],
    groundTruth: (target) => [formatEntityId(target)],
    expectedAlerts: () => ['TestHighErrorRate'],
    async inject(ctx): Promise<Undo> {
      const id = formatEntityId(ctx.entity);
      journal.entries.push(`inject test-dns ${id}`);
      return {
        description: `restore DNS of ${id}`,
        undo: async () => void journal.entries.push(`undo test-dns ${id}`),
      };
    },
  };
}

/** A registry holding the test fault types. */
export function testRegistry(journal?: TestFaultJournal): FaultRegistry {
  return new FaultRegistry([testDelayFault(journal), testErrorFault(journal), testDnsFault(journal)]);
}
