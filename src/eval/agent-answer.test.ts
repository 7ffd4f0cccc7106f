import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAgentAnswer } from './agent-answer.js';
import { ANSWER_MAX_BYTES } from './contract.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent-answer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function answer(name: string, content: string | Buffer): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}

describe('readAgentAnswer', () => {
  it('reads {"entities": [...]} and a bare array', async () => {
    expect(
      await readAgentAnswer(await answer('ok.json', '{"entities": ["shop/Deployment/a"]}')),
    ).toMatchObject({
      kind: 'ok',
      doc: { entities: ['shop/Deployment/a'] },
    });
    expect((await readAgentAnswer(await answer('bare.json', '["a"]'))).kind).toBe('ok');
  });

  it('tells no answer from a malformed one', async () => {
    expect(await readAgentAnswer(join(dir, 'absent.json'))).toEqual({
      kind: 'missing',
      why: 'no answer file written',
    });
    expect((await readAgentAnswer(await answer('empty.json', ' \n'))).kind).toBe('missing');
    expect(await readAgentAnswer(await answer('text.json', 'shop/Deployment/a'))).toMatchObject({
      kind: 'malformed',
      why: expect.stringMatching(/^not valid JSON/),
    });
    expect(await readAgentAnswer(await answer('shape.json', '{"answer": []}'))).toMatchObject({
      kind: 'malformed',
      why: expect.stringMatching(/"entities" is missing/),
    });
    expect((await readAgentAnswer(await answer('null.json', 'null'))).kind).toBe('malformed');
  });

  it('refuses what an untrusted process could abuse: links, folders, huge files', async () => {
    const secret = await answer('secret.json', '{"entities": ["stolen"]}');
    await symlink(secret, join(dir, 'link.json'));
    expect(await readAgentAnswer(join(dir, 'link.json'))).toMatchObject({
      kind: 'malformed',
      why: expect.stringMatching(/symbolic link/),
    });
    await mkdir(join(dir, 'folder.json'));
    expect((await readAgentAnswer(join(dir, 'folder.json'))).kind).toBe('malformed');
    const big = await answer('big.json', Buffer.alloc(ANSWER_MAX_BYTES + 1, 0x20));
    expect(await readAgentAnswer(big)).toMatchObject({
      kind: 'malformed',
      why: expect.stringMatching(/limit/),
    });
  });
});
