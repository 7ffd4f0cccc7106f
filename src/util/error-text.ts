interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/**
 * One line describing an error and its causes (`fetch failed: connect ECONNREFUSED 127.0.0.1:1`).
 * Duck-typed rather than `instanceof Error`: errors from another realm (Node's fetch inside a jest
 * VM context, worker threads) are not instances of this realm's Error.
 */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (typeof current === 'object' && typeof (current as ErrorLike).message === 'string') {
      const e = current as ErrorLike;
      const message = e.message as string;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        parts.push(message || String(e.name));
      } else if (message) {
        parts.push(message);
      }
      current = e.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return [...new Set(parts)].join(': ') || 'unknown error';
}
