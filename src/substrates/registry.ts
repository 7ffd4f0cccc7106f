import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { Capability } from '../platform/capabilities.js';
import type { Substrate } from '../platform/substrate.js';
import { kindRegistration } from './kind/registration.js';
import { kubeconfigRegistration } from './kubeconfig/registration.js';
import { localRegistration } from './local/registration.js';
import type { SubstrateOptions, SubstrateRegistration } from './substrate-registration.js';

/** Every substrate firedrill can stage on; the first is the default. */
export const SUBSTRATES: readonly SubstrateRegistration[] = [
  localRegistration,
  kindRegistration,
  kubeconfigRegistration,
];

export const SUBSTRATE_NAMES: readonly string[] = SUBSTRATES.map((s) => s.name);
export const DEFAULT_SUBSTRATE = SUBSTRATES[0].name;

export function substrateRegistration(name: string): SubstrateRegistration {
  const r = SUBSTRATES.find((s) => s.name === name);
  if (!r)
    throw new InvalidInputError(`unknown substrate "${name}"; choose one of ${SUBSTRATE_NAMES.join(', ')}`);
  return r;
}

/** Validates a name typed by a user (option values); unknown names are bad input. */
export function parseSubstrateName(text: string): string {
  return substrateRegistration(text).name;
}

/** Names of the substrates that provide every capability in `needs`, in registration order. */
export function substratesProviding(needs: Iterable<Capability>): string[] {
  const wanted = [...needs];
  return SUBSTRATES.filter((s) => wanted.every((c) => s.provides.includes(c))).map((s) => s.name);
}

/** The capabilities of `needs` that the named substrate lacks. */
export function missingCapabilities(name: string, needs: Iterable<Capability>): Capability[] {
  const provides = substrateRegistration(name).provides;
  return [...new Set(needs)].filter((c) => !provides.includes(c));
}

/** Tool name → the substrates that cannot run without it, for `firedrill doctor`. */
export function toolRequirements(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of SUBSTRATES) for (const t of s.tools) (out[t.name] ??= []).push(s.name);
  return out;
}

export async function createSubstrate(name: string, opts: SubstrateOptions): Promise<Substrate> {
  return substrateRegistration(name).create(opts);
}
