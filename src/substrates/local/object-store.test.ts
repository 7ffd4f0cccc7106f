import type { KubeObject } from '../../kube/kube-object.js';
import { ManualClock } from '../../util/manual-clock.js';
import { ObjectStore } from './object-store.js';

const obj = (
  kind: string,
  name: string,
  namespace = 'shop',
  labels?: Record<string, string>,
): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace, labels },
});

describe('ObjectStore', () => {
  const store = (): ObjectStore => new ObjectStore(new ManualClock(Date.parse('2026-12-06T10:00:00Z')));

  it('lists one kind in key order, by namespace and label selector', () => {
    const s = store();
    s.apply(obj('Pod', 'b', 'shop', { app: 'cart' }));
    s.apply(obj('Pod', 'a', 'shop', { app: 'web' }));
    s.apply(obj('Pod', 'c', 'other', { app: 'cart' }));
    s.apply(obj('Service', 'a'));
    expect(s.list('Pod').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'other/c',
      'shop/a',
      'shop/b',
    ]);
    expect(s.list('Pod', 'shop', { app: 'cart' }).map((o) => o.metadata.name)).toEqual(['b']);
    expect(s.list('Service').map((o) => o.kind)).toEqual(['Service']);
  });

  it('select shows the predicate only objects of the kind and copies only what it keeps', () => {
    const s = store();
    s.apply(obj('Pod', 'a'));
    s.apply(obj('Pod', 'b'));
    s.apply(obj('Event', 'a.1'));
    const seen: string[] = [];
    const kept = s.select('Pod', 'shop', (o) => {
      seen.push(`${o.kind}/${o.metadata.name}`);
      return o.metadata.name === 'b';
    });
    expect(seen.sort()).toEqual(['Pod/a', 'Pod/b']);
    expect(kept.map((o) => o.metadata.name)).toEqual(['b']);
    kept[0].metadata.labels = { changed: 'yes' };
    expect(s.get('Pod', 'shop', 'b')?.metadata.labels).toBeUndefined();
  });

  it('forgets a deleted object in every view', () => {
    const s = store();
    s.apply(obj('Pod', 'a'));
    s.updateStatus('Pod', 'shop', 'a', { phase: 'Running' });
    s.delete('Pod', 'shop', 'a');
    expect(s.list('Pod')).toEqual([]);
    expect(s.select('Pod', undefined, () => true)).toEqual([]);
    expect(s.all()).toEqual([]);
  });
});
