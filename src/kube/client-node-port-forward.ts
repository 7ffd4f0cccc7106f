import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import type { Duplex } from 'node:stream';
import type { PodStreamOpener } from './pod-port-forwarder.js';

/** PodStreamOpener over client-node's PortForward (a WebSocket to `pods/{name}/portforward`). */
export function clientNodePortForward(kc: KubeConfig): PodStreamOpener {
  const pf = new PortForward(kc, true);
  return async (namespace: string, pod: string, port: number, socket: Duplex) => {
    const opened = await pf.portForward(namespace, pod, [port], socket, null, socket);
    const ws = typeof opened === 'function' ? opened() : opened;
    if (!ws) throw new Error(`port-forward to ${namespace}/${pod}:${port} did not open`);
    // The WebSocket closing (pod gone, API server restart) must end the client's connection too.
    ws.on('close', () => socket.end());
    return () => ws.close();
  };
}
