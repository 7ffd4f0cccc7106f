/**
 * client-node, loaded on first use: importing it takes about a second, which every command would pay at
 * start-up (the CLI registers all of them), including a `run --substrate kind` that stops at once because
 * kind is missing. Types are imported statically (`import type`); values come from here.
 */
export function loadClientNode(): Promise<typeof import('@kubernetes/client-node')> {
  return import('@kubernetes/client-node');
}
