import { readFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stateDir } from './state-dir.js';

/** What a running `firedrill up` leaves for `status` and `down` to find. */
export interface UpState {
  pid: number;
  substrate: string;
  startedAt: string;
  endpoints: Record<string, string>;
}

export const upStateFile = (substrate: string): string => join(stateDir(), substrate, 'state.json');

export async function readUpState(substrate: string): Promise<UpState | undefined> {
  return readFile(upStateFile(substrate), 'utf8')
    .then((t) => JSON.parse(t) as UpState)
    .catch(() => undefined);
}

export async function writeUpState(state: UpState): Promise<void> {
  await mkdir(dirname(upStateFile(state.substrate)), { recursive: true });
  await writeFile(upStateFile(state.substrate), JSON.stringify(state, null, 2));
}

export async function removeUpState(substrate: string): Promise<void> {
  await rm(upStateFile(substrate), { force: true });
}
