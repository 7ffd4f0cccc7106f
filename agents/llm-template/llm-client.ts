/** Which API the template talks to; both are plain HTTPS + JSON, called with fetch. */
export type Provider = 'openai' | 'anthropic';

export interface LlmConfig {
  provider: Provider;
  /** Only ever put in a request header; never printed, never part of an error message. */
  apiKey: string;
  model: string;
  baseUrl: string;
  /** Abort the request after this long. */
  timeoutMs: number;
}

export class LlmError extends Error {}

/** Any occurrence of the key in text that leaves this process (an error body may echo the request). */
export function redactKey(text: string, key: string): string {
  return key.length === 0 ? text : text.split(key).join('[redacted]');
}

/**
 * The configuration from the environment the harness passes through (`firedrill eval --env NAME`):
 * ANTHROPIC_API_KEY or OPENAI_API_KEY (FIREDRILL_LLM_PROVIDER picks when both are set), the model in
 * FIREDRILL_LLM_MODEL, and OPENAI_BASE_URL / ANTHROPIC_BASE_URL for compatible endpoints.
 */
export function configFromEnv(env: NodeJS.ProcessEnv, timeoutMs: number): LlmConfig {
  const openai = env.OPENAI_API_KEY;
  const anthropic = env.ANTHROPIC_API_KEY;
  const wanted = env.FIREDRILL_LLM_PROVIDER;
  if (wanted !== undefined && wanted !== 'openai' && wanted !== 'anthropic')
    throw new LlmError(`FIREDRILL_LLM_PROVIDER must be openai or anthropic, not "${wanted}"`);
  const provider: Provider | undefined =
    (wanted as Provider | undefined) ?? (anthropic ? 'anthropic' : openai ? 'openai' : undefined);
  if (provider === undefined)
    throw new LlmError('set OPENAI_API_KEY or ANTHROPIC_API_KEY (firedrill eval --env NAME)');
  const apiKey = provider === 'openai' ? openai : anthropic;
  if (!apiKey)
    throw new LlmError(`${provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY'} is not set`);
  const model = env.FIREDRILL_LLM_MODEL;
  if (!model) throw new LlmError('set FIREDRILL_LLM_MODEL to the model to ask');
  const baseUrl = (
    provider === 'openai'
      ? (env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1')
      : (env.ANTHROPIC_BASE_URL ?? 'https://api.anthropic.com')
  ).replace(/\/+$/, '');
  return { provider, apiKey, model, baseUrl, timeoutMs };
}

/** One completion: the system prompt and the evidence in, the model's text out. */
export async function complete(cfg: LlmConfig, system: string, user: string): Promise<string> {
  const openai = cfg.provider === 'openai';
  const url = openai ? `${cfg.baseUrl}/chat/completions` : `${cfg.baseUrl}/v1/messages`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (openai) headers.authorization = `Bearer ${cfg.apiKey}`;
  else {
    headers['x-api-key'] = cfg.apiKey;
    headers['anthropic-version'] = '2023-06-01';
  }
  const body = openai
    ? {
        model: cfg.model,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
        temperature: 0,
      }
    : { model: cfg.model, system, max_tokens: 1024, messages: [{ role: 'user', content: user }] };
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(cfg.timeoutMs),
    });
  } catch (err) {
    throw new LlmError(redactKey(`request to ${url} failed: ${(err as Error).message}`, cfg.apiKey));
  }
  const text = await res.text();
  if (!res.ok)
    throw new LlmError(redactKey(`${url} answered ${res.status}: ${text.slice(0, 500)}`, cfg.apiKey));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new LlmError(`${url} answered something that is not JSON`);
  }
  const content = openai
    ? (doc as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content
    : (doc as { content?: Array<{ type?: string; text?: unknown }> }).content
        ?.filter((c) => c.type === 'text')
        .map((c) => c.text)
        .join('');
  if (typeof content !== 'string') throw new LlmError(`${url}: no text in the response`);
  return content;
}
