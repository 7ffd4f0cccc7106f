// Agents that misbehave on purpose, one per mode, for the tests of `firedrill eval` (src/eval/*.test.ts).
// Plain JavaScript: they run as separate processes, possibly as another user, with a bare environment.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mode = process.argv[2];
const snapshot = process.env.FIREDRILL_SNAPSHOT;
const answer = process.env.FIREDRILL_ANSWER;
const probe = process.env.PROBE_DIR;
const self = fileURLToPath(import.meta.url);

const forever = () => setInterval(() => {}, 1000);
const writeAnswer = (entities) => fs.writeFileSync(answer, JSON.stringify({ entities }));
const attempt = (fn) => {
  try {
    return `ok: ${String(fn())}`;
  } catch (err) {
    return `refused: ${err.code ?? err.message}`;
  }
};

/** A grandchild in its own session that ignores SIGTERM: what a careless agent leaves behind. */
function daemonize(tag) {
  const mid = spawn(process.execPath, [self, 'daemon-mid', tag], { stdio: 'ignore', env: process.env });
  return new Promise((resolve) => mid.on('exit', resolve));
}

switch (mode) {
  case 'daemon-mid':
    spawn(process.execPath, [self, 'daemon', process.argv[3]], { detached: true, stdio: 'ignore' }).unref();
    break;
  case 'daemon':
    process.on('SIGTERM', () => {});
    fs.writeFileSync(join(probe, `${process.argv[3]}.pid`), String(process.pid));
    forever();
    break;
  case 'sleep':
    forever();
    break;
  case 'orphan': {
    // answers and exits 0 as soon as the daemon is up, leaving it behind
    await daemonize('orphan');
    for (let i = 0; i < 100 && !fs.existsSync(join(probe, 'orphan.pid')); i++)
      await new Promise((r) => setTimeout(r, 20));
    writeAnswer([]);
    break;
  }
  case 'orphan-sleep':
    process.on('SIGTERM', () => {});
    await daemonize('orphan-sleep');
    forever();
    break;
  case 'garbage':
    fs.writeFileSync(answer, Buffer.from([0x7b, 0xff, 0x00, 0x13, 0x22, 0x65, 0x6e]));
    break;
  case 'not-entities':
    fs.writeFileSync(answer, JSON.stringify({ rootCause: 'shop/Deployment/shipping' }));
    break;
  case 'nothing':
    break;
  case 'crash':
    writeAnswer(['shop/Deployment/shipping']);
    process.stderr.write('something went wrong\n');
    process.exit(3);
    break;
  case 'snoop': {
    // Looks for the answer key wherever a bundle would keep it, next to or above the snapshot.
    const tried = {};
    const found = [];
    const look = (p) => {
      tried[p] = attempt(() => fs.readFileSync(p, 'utf8').length);
      if (tried[p].startsWith('ok') && p.endsWith('ground_truth.json'))
        for (const rc of JSON.parse(fs.readFileSync(p, 'utf8')).rootCauses) found.push(rc.id);
    };
    look(join(snapshot, '..', 'truth', 'ground_truth.json'));
    look(join(snapshot, '..', 'manifest.json'));
    look(join(process.cwd(), '..', 'truth', 'ground_truth.json'));
    look(join(process.cwd(), '..', '..', 'truth', 'ground_truth.json'));
    const listed = {};
    for (let d = dirname(snapshot); ; d = dirname(d)) {
      listed[d] = attempt(() =>
        fs
          .readdirSync(d)
          .filter((n) => /truth|manifest|bundle|incident/.test(n))
          .join(','),
      );
      if (d === dirname(d)) break;
    }
    process.stdout.write(
      JSON.stringify({ tried, listed, env: process.env, cwd: process.cwd(), argv: process.argv, found }) +
        '\n',
    );
    writeAnswer(found);
    break;
  }
  case 'write-snapshot': {
    const r = {
      overwrite: attempt(() => fs.writeFileSync(join(snapshot, 'alerts.json'), '{}')),
      append: attempt(() => fs.appendFileSync(join(snapshot, 'task.md'), 'the answer is X')),
      unlink: attempt(() => fs.unlinkSync(join(snapshot, 'topology.json'))),
      create: attempt(() => fs.writeFileSync(join(snapshot, 'notes.txt'), 'x')),
      rename: attempt(() => fs.renameSync(snapshot, `${snapshot}.old`)),
      uid: process.getuid(),
    };
    process.stdout.write(JSON.stringify(r) + '\n');
    writeAnswer(['shop/Deployment/shipping']);
    break;
  }
  case 'symlink':
    fs.symlinkSync(process.env.PROBE_TARGET, answer);
    break;
  case 'list': {
    const walk = (d) =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)).map((x) => `${e.name}/${x}`) : [e.name]));
    process.stdout.write(
      JSON.stringify({
        files: walk(snapshot).sort(),
        task: fs.readFileSync(join(snapshot, 'task.md'), 'utf8'),
      }) + '\n',
    );
    writeAnswer([]);
    break;
  }
  case 'count':
    fs.appendFileSync(join(probe, 'count'), `${snapshot}\n`);
    writeAnswer(['shop/Deployment/shipping']);
    break;
  case 'isolation': {
    const port = Number(process.env.PROBE_PORT);
    const net = await new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (err) => resolve(`refused: ${err.code}`));
      setTimeout(() => resolve('timeout'), 2000).unref();
    });
    const r = {
      net,
      pids: fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length,
      hidden: attempt(() => fs.readdirSync(process.env.PROBE_HIDDEN).join(',')),
      write: attempt(() => fs.writeFileSync(join(snapshot, 'alerts.json'), '{}')),
      interfaces: fs
        .readFileSync('/proc/net/dev', 'utf8')
        .split('\n')
        .slice(2)
        .map((l) => l.split(':')[0].trim())
        .filter(Boolean),
    };
    process.stdout.write(JSON.stringify(r) + '\n');
    writeAnswer([]);
    break;
  }
  default:
    process.stderr.write(`unknown mode ${mode}\n`);
    process.exit(2);
}
