import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tmpAncestors } from './pod-worker.js';

describe('tmpAncestors', () => {
  it('lists the directories between the temporary directory and a run directory, outermost first', () => {
    const tmp = tmpdir();
    expect(tmpAncestors(join(tmp, 'fd-e2e-abc', 'work', 'run-1'))).toEqual([
      join(tmp, 'fd-e2e-abc'),
      join(tmp, 'fd-e2e-abc', 'work'),
    ]);
    expect(tmpAncestors(join(tmp, 'kubelet-x'))).toEqual([]);
  });

  it('leaves directories outside the temporary directory alone', () => {
    expect(tmpAncestors('/root/work/run')).toEqual([]);
    expect(tmpAncestors(`${tmpdir()}-other/x/y`)).toEqual([]);
  });
});
