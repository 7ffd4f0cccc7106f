export interface RouteMatch<T> {
  /** The template as registered, e.g. `/api/products/:id`: the metric label and span name, never the raw path. */
  route: string;
  params: Record<string, string>;
  value: T;
}

interface Entry<T> {
  method: string;
  template: string;
  segments: string[];
  value: T;
}

/** Method + path-template routing with `:param` segments; nothing more is needed by the shop. */
export class Router<T> {
  private readonly entries: Entry<T>[] = [];

  add(method: string, template: string, value: T): void {
    this.entries.push({ method: method.toUpperCase(), template, segments: split(template), value });
  }

  /** The matching route, `'method-not-allowed'` when only the path matches, or undefined. */
  match(method: string, path: string): RouteMatch<T> | 'method-not-allowed' | undefined {
    const parts = split(path);
    let pathMatched = false;
    for (const e of this.entries) {
      const params = matchSegments(e.segments, parts);
      if (!params) continue;
      if (e.method !== method.toUpperCase()) {
        pathMatched = true;
        continue;
      }
      return { route: e.template, params, value: e.value };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | undefined {
  if (template.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t.startsWith(':')) {
      try {
        params[t.slice(1)] = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
    } else if (t !== parts[i]) return undefined;
  }
  return params;
}
