import type { KubeConfig, PortForward } from '@kubernetes/client-node';
import type { Duplex } from 'node:stream';
import { loadClientNode } from './load-client-node.js';
import type { PodStreamOpener } from './pod-port-forwarder.js';

/** PodStreamOpener over client-node's PortForward (a WebSocket to `pods/{name}/portforward`). */
export function clientNodePortForward(kc: KubeConfig): PodStreamOpener {
  let pf: PortForward | undefined;
  return async (namespace: string, pod: string, port: number, socket: Duplex) => {
    pf ??= new (await loadClientNode()).PortForward(kc, true);
    const opened = await pf.portForward(namespace, pod, [port], socket, null, socket);
    const ws = typeof opened === 'function' ? opened() : opened;
    if (!ws) throw new Error(`port-forward to ${namespace}/${pod}:${port} did not open`);
    // The WebSocket closing (pod gone, API server restart) must end the client's connection too.
    ws.on('close', () => socket.end());
    return () => ws.close();
  };
}
