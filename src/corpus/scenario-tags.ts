import { parse } from 'yaml';
import { z } from 'zod';

const Tagged = z.object({ metadata: z.object({ tags: z.array(z.string()) }) });

/** The tags of the scenario a bundle ran (its truth/scenario.yaml); none when it has none or is unreadable. */
export function scenarioTags(text: string): string[] {
  try {
    const r = Tagged.safeParse(parse(text));
    return r.success ? r.data.metadata.tags : [];
  } catch {
    return [];
  }
}
