import { kubeTime } from './kube-time.js';

describe('kubeTime', () => {
  it('writes whole seconds, the fraction dropped as metav1.Time marshals it', () => {
    expect(kubeTime(Date.parse('2026-12-06T13:18:35.999Z'))).toBe('2026-12-06T13:18:35Z');
    expect(kubeTime(Date.parse('2026-12-06T13:18:36.000Z'))).toBe('2026-12-06T13:18:36Z');
  });
});
