import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleBundle } from '../../src/bundle/testing/sample-bundle.js';
import { configFromEnv, LlmError, redactKey } from './llm-client.js';
import { parseEntities } from './parse-entities.js';
import { buildEvidence } from './prompt.js';

const MAIN = join(process.cwd(), 'agents', 'llm-template', 'main.ts');
const KEY = 'sk-test-0123456789abcdef-SECRET';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: { messages?: Array<{ content: string }>; model?: string; system?: string };
}

/** A stand-in for the provider on loopback: records each request, answers what the test says. */
let server: Server;
let base: string;
let reply: (seen: Seen) => { status: number; body: unknown };
const seen: Seen[] = [];
let dir: string;
let snapshot: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llm-template-'));
  snapshot = join(await writeSampleBundle(dir, 'incident-000000000001'), 'snapshot');
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const s: Seen = { url: req.url ?? '', headers: req.headers, body: JSON.parse(text) as Seen['body'] };
      seen.push(s);
      const r = reply(s);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
});

/** Asynchronously: the fake server answers from this same process. */
function run(env: Record<string, string>, answer: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, snapshot, answer], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', FIREDRILL_TIMEOUT_MS: '60000', ...env },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('llm-template agent process', () => {
  it('asks an OpenAI-compatible endpoint with the snapshot as evidence and writes the ids it names', async () => {
    reply = () => ({
      status: 200,
      body: {
        choices: [
          {
            message: {
              content:
                'Payment got slow.\n```json\n{"entities": ["shop/deploy/payment", "shop/Deployment/made-up"]}\n```',
            },
          },
        ],
      },
    });
    const answer = join(dir, 'openai.json');
    const r = await run(
      { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${base}/v1`, FIREDRILL_LLM_MODEL: 'test-model' },
      answer,
    );
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(KEY);
    // the invented Deployment is not in the topology: dropped
    expect(JSON.parse(await readFile(answer, 'utf8'))).toEqual({ entities: ['shop/Deployment/payment'] });
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe('/v1/chat/completions');
    expect(seen[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen[0].body.model).toBe('test-model');
    const prompt = seen[0].body.messages?.map((m) => m.content).join('\n') ?? '';
    expect(prompt).toContain('PaymentLatencyHigh');
    expect(prompt).toContain('shop/Deployment/payment');
  }, 60_000);

  it('speaks the Anthropic Messages API when that key is given', async () => {
    reply = () => ({
      status: 200,
      body: { content: [{ type: 'text', text: '{"entities": ["shop/Service/payment"]}' }] },
    });
    const answer = join(dir, 'anthropic.json');
    const r = await run(
      { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: base, FIREDRILL_LLM_MODEL: 'test-model' },
      answer,
    );
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(KEY);
    expect(seen[0].url).toBe('/v1/messages');
    expect(seen[0].headers['x-api-key']).toBe(KEY);
    expect(seen[0].headers['anthropic-version']).toBe('2023-06-01');
    expect(JSON.parse(await readFile(answer, 'utf8'))).toEqual({ entities: ['shop/Service/payment'] });
  }, 60_000);

  it('exits 1 without an answer on an API error, never printing the key even when the error echoes it', async () => {
    reply = (s) => ({ status: 401, body: { error: `invalid key ${String(s.headers.authorization)}` } });
    const answer = join(dir, 'refused.json');
    const r = await run(
      { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${base}/v1`, FIREDRILL_LLM_MODEL: 'test-model' },
      answer,
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/answered 401/);
    expect(r.out).toContain('[redacted]');
    expect(r.out).not.toContain(KEY);
    await expect(stat(answer)).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('exits 1 naming what is missing when no key or model is set', async () => {
    const r = await run({}, join(dir, 'none.json'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/OPENAI_API_KEY or ANTHROPIC_API_KEY/);
  }, 60_000);
});

describe('llm-template parts', () => {
  it('parses ids from JSON, fenced or bare, and from free text', () => {
    expect(parseEntities('{"entities": ["shop/svc/cart", {"name": "shop/Pod/cart-0"}]}')).toEqual([
      'shop/Service/cart',
      'shop/Pod/cart-0',
    ]);
    expect(parseEntities('I think shop/Deployment/cart broke, then Node/worker-1 too.')).toEqual([
      'shop/Deployment/cart',
      'Node/worker-1',
    ]);
    const known = new Set(['shop/Deployment/cart']);
    expect(parseEntities('["shop/Deployment/ghost", "shop/Deployment/cart"]', known)).toEqual([
      'shop/Deployment/cart',
    ]);
    // nothing known: keep what was named rather than answer nothing
    expect(parseEntities('["shop/Deployment/ghost"]', known)).toEqual(['shop/Deployment/ghost']);
  });

  it('reads its configuration from the environment and refuses an incomplete one', () => {
    expect(configFromEnv({ OPENAI_API_KEY: 'k', FIREDRILL_LLM_MODEL: 'm' }, 1000)).toMatchObject({
      provider: 'openai',
      baseUrl: 'https://api.openai.com/v1',
    });
    expect(
      configFromEnv({ OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'a', FIREDRILL_LLM_MODEL: 'm' }, 1000).provider,
    ).toBe('anthropic');
    expect(() => configFromEnv({ OPENAI_API_KEY: 'k' }, 1000)).toThrow(LlmError);
    expect(() => configFromEnv({ FIREDRILL_LLM_PROVIDER: 'other' }, 1000)).toThrow(/openai or anthropic/);
    expect(redactKey(`a ${KEY} b`, KEY)).toBe('a [redacted] b');
  });

  it('builds evidence from whatever files the snapshot has', async () => {
    const text = await buildEvidence(snapshot);
    expect(text).toContain('## alerts');
    expect(text).toContain('## warning events');
    expect(text).toContain('Readiness probe failed');
    const empty = await buildEvidence(join(dir, 'no-such-snapshot'));
    expect(empty).toContain('## task.md');
  });
});
