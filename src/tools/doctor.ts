import { findTool, versionProblem, type FindToolOptions, type ToolLocation } from './find-tool.js';
import { detectPlatform, installHint } from './platform.js';
import type { ToolSpec } from './tool-spec.js';
import { TOOLS } from './tool-specs.js';

export type ToolState = 'ok' | 'missing' | 'too-old';

/** One tool's line in `firedrill doctor`. */
export interface ToolStatus {
  name: string;
  state: ToolState;
  /** Required by the substrate asked about (or by any substrate when none was named). */
  required: boolean;
  requiredFor: readonly string[];
  purpose: string;
  found: ToolLocation | undefined;
  /** The install command for this platform; shown when not ok. */
  install: string;
  /** Why a found tool is not ok. */
  problem?: string;
}

export interface CheckAllOptions extends FindToolOptions {
  /** Judge requiredness for this substrate only; default: required by any substrate. */
  substrate?: string;
  /**
   * Which substrates cannot run without each tool, by tool name (the substrate registrations know;
   * see toolRequirements() in src/substrates/registry.ts). Tools not named are optional.
   */
  requiredBy?: Readonly<Record<string, readonly string[]>>;
  tools?: readonly ToolSpec[];
}

/** Looks for every tool in parallel. */
export async function checkAll(opts: CheckAllOptions = {}): Promise<ToolStatus[]> {
  const platform = opts.platform ?? detectPlatform();
  const tools = opts.tools ?? TOOLS;
  return Promise.all(
    tools.map(async (spec): Promise<ToolStatus> => {
      const found = await findTool(spec, opts);
      const problem = found ? versionProblem(spec, found) : undefined;
      const requiredFor = opts.requiredBy?.[spec.name] ?? [];
      return {
        name: spec.name,
        state: !found ? 'missing' : problem ? 'too-old' : 'ok',
        required: opts.substrate ? requiredFor.includes(opts.substrate) : requiredFor.length > 0,
        requiredFor,
        purpose: spec.purpose,
        found,
        install: installHint(spec.install, platform),
        problem,
      };
    }),
  );
}

/** Required tools that are missing or too old: a non-empty list means the substrate cannot run. */
export function blockingProblems(statuses: readonly ToolStatus[]): ToolStatus[] {
  return statuses.filter((s) => s.required && s.state !== 'ok');
}

/**
 * One line per tool, columns aligned:
 * `ok       prometheus    2.42.0+ds  /usr/bin/prometheus          required for local`
 * `missing  kind          -          -                            required for kind; install: ...`
 */
export function formatToolReport(statuses: readonly ToolStatus[]): string {
  const rows = statuses.map((s) => {
    const need = s.requiredFor.length > 0 ? `required for ${s.requiredFor.join(', ')}` : 'optional';
    const tail =
      s.state === 'ok' ? need : `${need}; ${s.problem ? `${s.problem}; ` : ''}install: ${s.install}`;
    return [s.state, s.name, s.found?.version ?? '-', s.found?.path ?? '-', tail];
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]) : cell)).join('  ')).join('\n');
}
