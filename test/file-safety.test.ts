/**
 * What slicefix writes, and what it must never touch (issue 14, section 1): the report's --output, files reached
 * through symbolic links, hard links, owners, temporary files after Ctrl-C or kill.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { removeStaleTemps, tempNameFor, writeFileAtomic } from '../src/atomic-write.js';
import { runCli } from '../src/cli.js';
import { lint, makeTempDir, repoRoot, writeTree } from './helpers.js';

const EP = 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: db\nsubsets:\n  - addresses:\n      - ip: 10.0.0.1\n    ports:\n      - port: 5432\n';
const isRoot = process.getuid?.() === 0;
const bin = path.join(repoRoot, 'bin/slicefix.js');

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdoutIsTTY: false, stderrIsTTY: false, env: {} }, rules);
  return { code, stdout, stderr };
}

const temps = (dir: string) => fs.readdirSync(dir).filter((name) => name.includes('.slicefix-'));

describe('--output', () => {
  it.runIf(isRoot)('writes into a character device in place: the device stays a device', async () => {
    const dir = writeTree({ 'ep.yaml': EP });
    const device = path.join(dir, 'mynull');
    execOk('mknod', ['-m', '666', device, 'c', '1', '3']); // a second /dev/null
    const { code, stderr } = await cli(['--format', 'json', '--output', 'mynull', 'ep.yaml'], dir);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(fs.lstatSync(device).isCharacterDevice()).toBe(true);
    expect(temps(dir)).toEqual([]);
  });

  it('writes into a FIFO in place: its reader gets the report and the FIFO stays a FIFO', async () => {
    const dir = writeTree({ 'ep.yaml': EP });
    const fifo = path.join(dir, 'pipe');
    execOk('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (chunk) => (received += chunk));
    const closed = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const timer = setTimeout(() => reader.kill(), 20_000); // before the fix the FIFO was replaced and cat waited forever
    const { code } = await cli(['--format', 'json', '--output', 'pipe', 'ep.yaml'], dir);
    await closed;
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(JSON.parse(received).findings).toHaveLength(1);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('writes through a link to the process\'s standard output (as /dev/stdout is) without replacing the link', () => {
    const dir = writeTree({ 'ep.yaml': EP });
    fs.symlinkSync('/proc/self/fd/1', path.join(dir, 'stdout-link'));
    const run = spawnSync(process.execPath, [bin, '--format', 'json', '--output', 'stdout-link', 'ep.yaml'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).findings).toHaveLength(1);
    expect(fs.lstatSync(path.join(dir, 'stdout-link')).isSymbolicLink()).toBe(true);
  });

  it('replaces a regular file atomically, keeping its mode, and writes through a link to one', async () => {
    const dir = writeTree({ 'ep.yaml': EP, 'reports/report.json': 'old' });
    fs.chmodSync(path.join(dir, 'reports/report.json'), 0o640);
    fs.symlinkSync('reports/report.json', path.join(dir, 'latest.json'));
    await cli(['--format', 'json', '--output', 'latest.json', 'ep.yaml'], dir);
    expect(fs.lstatSync(path.join(dir, 'latest.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'reports/report.json'), 'utf8')).findings).toHaveLength(1);
    expect(fs.statSync(path.join(dir, 'reports/report.json')).mode & 0o777).toBe(0o640);
  });

  it('a folder, or a file in a missing folder, is a usage error (exit 2) before --fix writes anything', async () => {
    for (const output of ['somedir', 'somedir/', 'missing/report.json', 'ep.yaml/report.json']) {
      const dir = writeTree({ 'ep.yaml': EP, 'somedir/.keep': '' });
      const { code, stderr, stdout } = await cli(['--fix', '--output', output, 'ep.yaml'], dir);
      expect(code, output).toBe(2);
      expect(stderr, output).toMatch(new RegExp(`^slicefix: --output ${output}`));
      expect(stderr, output).not.toMatch(/internal error/);
      expect(stdout).toBe('');
      expect(fs.readFileSync(path.join(dir, 'ep.yaml'), 'utf8'), output).toBe(EP);
    }
  });
});

function execOk(command: string, args: string[]): void {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${run.stderr}`);
}

describe('--fix writes only the file it fixes, as it was', () => {
  it('a symbolic link named on the command line: the file it points to is fixed and the link stays a link', async () => {
    const dir = writeTree({ 'real/ep.yaml': EP });
    fs.symlinkSync('real/ep.yaml', path.join(dir, 'ep-link.yaml'));
    const { result } = await lint(dir, rules, { fix: true, paths: ['ep-link.yaml'] });
    expect(result.errors).toEqual([]);
    expect(result.summary.fixed).toBe(1);
    expect(fs.lstatSync(path.join(dir, 'ep-link.yaml')).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(path.join(dir, 'ep-link.yaml'))).toBe('real/ep.yaml');
    expect(fs.readFileSync(path.join(dir, 'real/ep.yaml'), 'utf8')).toContain('kind: EndpointSlice');
    expect(temps(path.join(dir, 'real'))).toEqual([]);
    expect(temps(dir)).toEqual([]);
  });

  it('a file with hard links is not written (the links would be broken) and says so', async () => {
    const dir = writeTree({ 'ep.yaml': EP });
    fs.linkSync(path.join(dir, 'ep.yaml'), path.join(dir, 'other-name.txt'));
    const { result } = await lint(dir, rules, { fix: true, paths: ['ep.yaml'] });
    expect(result.errors).toEqual([{ file: 'ep.yaml', message: expect.stringMatching(/^has 2 hard links, which a rewrite would break; the fix was not written/) }]);
    expect(result.summary.fixed).toBe(0);
    expect(result.findings).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, 'ep.yaml'), 'utf8')).toBe(EP);
    expect(fs.statSync(path.join(dir, 'ep.yaml')).nlink).toBe(2);
  });

  it.runIf(isRoot)('run as root, a fixed file keeps its owner, group and mode', async () => {
    const dir = writeTree({ 'ep.yaml': EP, 'script.sh': 'echo hi\n' });
    const file = path.join(dir, 'ep.yaml');
    fs.chownSync(file, 1234, 5678);
    fs.chmodSync(file, 0o640);
    const { result } = await lint(dir, rules, { fix: true });
    expect(result.summary.fixed).toBe(1);
    const stat = fs.statSync(file);
    expect([stat.uid, stat.gid, stat.mode & 0o7777]).toEqual([1234, 5678, 0o640]);
    expect(fs.readFileSync(file, 'utf8')).toContain('kind: EndpointSlice');
  });

  it('a file name of 250 bytes is fixed: the temporary name is cut to fit 255 bytes', async () => {
    const name = `${'é'.repeat(122)}.yaml`; // 244 + 5 bytes
    expect(Buffer.byteLength(name)).toBe(249);
    const dir = writeTree({ [name]: EP });
    const { result } = await lint(dir, rules, { fix: true });
    expect(result.errors).toEqual([]);
    expect(result.summary.fixed).toBe(1);
    expect(fs.readFileSync(path.join(dir, name), 'utf8')).toContain('kind: EndpointSlice');
    const temp = tempNameFor(name);
    expect(Buffer.byteLength(temp)).toBeLessThanOrEqual(255);
    expect(temp).toMatch(/^\.é+\.slicefix-\d+-[0-9a-f]{12}\.tmp$/);
    expect(Buffer.from(temp).toString()).toBe(temp); // cut at a character boundary
  });
});

describe('temporary files', () => {
  /** A PID no process has now: that of a child that has exited. */
  function deadPid(): number {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(child.stdout);
  }

  it('a later run removes stale ones of its own naming (a dead PID) in the folders it writes to, and nothing else', async () => {
    const dead = deadPid();
    const stale = `.ep.yaml.slicefix-${dead}-0a1b2c3d4e5f.tmp`;
    const staleOld = `.x.yaml.slicefix-${dead}-k3j5h2l9q1.tmp`; // 0.1.0's naming
    const live = `.ep.yaml.slicefix-${process.pid}-0a1b2c3d4e5f.tmp`; // a run in progress
    const lookalikes = [`ep.yaml.slicefix-${dead}-0a1b2c3d4e5f.tmp`, `.ep.yaml.slicefix-${dead}-0a1b2c3d4e5f.tmp.bak`, `.ep.yaml.slicefix-x${dead}-0a1b.tmp`];
    const dir = writeTree({ 'ep.yaml': EP, [stale]: 'half', [staleOld]: 'half', [live]: 'half', ...Object.fromEntries(lookalikes.map((n) => [n, 'mine'])), [`untouched/${stale}`]: 'half', 'untouched/a.yaml': 'a: 1\n' });
    fs.mkdirSync(path.join(dir, `.d.slicefix-${dead}-0a1b2c3d4e5f.tmp`)); // not a file: not ours
    const { result } = await lint(dir, rules, { fix: true });
    expect(result.summary.fixed).toBe(1);
    const left = fs.readdirSync(dir).sort();
    expect(left).not.toContain(stale);
    expect(left).not.toContain(staleOld);
    expect(left).toContain(live);
    for (const name of lookalikes) expect(left).toContain(name);
    expect(left).toContain(`.d.slicefix-${dead}-0a1b2c3d4e5f.tmp`);
    // A folder it did not write to is left alone.
    expect(fs.readdirSync(path.join(dir, 'untouched'))).toContain(stale);
  });

  it('removeStaleTemps is a no-op on a folder it cannot read', () => {
    expect(() => removeStaleTemps(path.join(makeTempDir(), 'missing'))).not.toThrow();
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    for (const concurrency of ['off', '2']) {
      it(`${signal} during --fix (--concurrency ${concurrency}): exit ${code}, no temporary file left, every file whole`, async () => {
        const files: Record<string, string> = {};
        for (let i = 0; i < 600; i++) files[`d${i % 10}/ep${String(i).padStart(3, '0')}.yaml`] = EP.replace('name: db', `name: db${i}`);
        const dir = writeTree(files);
        const folders = Array.from({ length: 10 }, (_, i) => path.join(dir, `d${i}`));
        const before = folders.map((f) => fs.statSync(f).mtimeMs);
        const child = spawn(process.execPath, [bin, '--fix', '--concurrency', concurrency, '.'], { cwd: dir });
        const exited = new Promise<{ status: number | null; signal: string | null }>((resolve) => child.on('exit', (status, sig) => resolve({ status, signal: sig })));
        // Interrupt once the first file has been replaced (a rename changes its folder's mtime).
        while (folders.every((f, i) => fs.statSync(f).mtimeMs === before[i]) && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
        child.kill(signal);
        const { status, signal: killedBy } = await exited;
        expect(killedBy).toBeNull();
        expect(status).toBe(code);
        for (const folder of folders) {
          expect(temps(folder)).toEqual([]);
          for (const name of fs.readdirSync(folder)) {
            const text = fs.readFileSync(path.join(folder, name), 'utf8');
            expect(text === files[`${path.basename(folder)}/${name}`] || text.includes('kind: EndpointSlice')).toBe(true);
          }
        }
      }, 60_000);
    }
  }
});

describe('writeFileAtomic', () => {
  it('creates a new file with the mode asked for', () => {
    const file = path.join(makeTempDir(), 'new.txt');
    writeFileAtomic(file, 'x', 0o600);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('what is read', () => {
  it('a named path through a folder link that leaves the root is refused, named, and neither read nor written', async () => {
    const top = makeTempDir();
    writeTree({ 'ep.yaml': EP }, fs.mkdirSync(path.join(top, 'out'), { recursive: true })!);
    const root = writeTree({ 'inside/ep.yaml': EP }, fs.mkdirSync(path.join(top, 'root'), { recursive: true })!);
    fs.symlinkSync('../out', path.join(root, 'linkdir'));
    fs.symlinkSync('inside', path.join(root, 'inlink'));
    for (const fix of [false, true]) {
      const { result } = await lint(root, rules, { fix, paths: ['linkdir/ep.yaml', 'linkdir', 'inlink/ep.yaml'] });
      expect(result.errors).toEqual([
        { file: 'linkdir', message: `symbolic link points outside the scanned root (${path.join(fs.realpathSync(top), 'out')}); not followed` },
        { file: 'linkdir/ep.yaml', message: `leads through a symbolic link outside the scanned root (${path.join(fs.realpathSync(top), 'out/ep.yaml')}); not followed` },
      ]);
      // A link that stays inside the root is followed.
      expect(result.findings.map((f) => f.file)).toEqual(fix ? [] : ['inlink/ep.yaml']);
      expect(fs.readFileSync(path.join(top, 'out/ep.yaml'), 'utf8')).toBe(EP);
    }
    expect(fs.readFileSync(path.join(root, 'inside/ep.yaml'), 'utf8')).toContain('kind: EndpointSlice');
  });

  it('a path outside the root named plainly, without a link, is still read', async () => {
    const top = makeTempDir();
    writeTree({ 'ep.yaml': EP }, fs.mkdirSync(path.join(top, 'other'), { recursive: true })!);
    const root = writeTree({ 'a.yaml': 'a: 1\n' }, fs.mkdirSync(path.join(top, 'root'), { recursive: true })!);
    const { result } = await lint(root, rules, { paths: ['../other/ep.yaml', path.join(top, 'other')] });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.file)).toEqual(['../other/ep.yaml']);
  });

  it('a named FIFO or device is an error naming it ("not a regular file"), never opened', async () => {
    const dir = writeTree({ 'ep.yaml': EP });
    execOk('mkfifo', [path.join(dir, 'pipe.yaml')]);
    const paths = ['pipe.yaml', 'ep.yaml'];
    if (isRoot) {
      execOk('mknod', ['-m', '666', path.join(dir, 'null.yaml'), 'c', '1', '3']);
      paths.push('null.yaml');
    }
    const { result } = await lint(dir, rules, { paths });
    expect(result.errors).toEqual([
      ...(isRoot ? [{ file: 'null.yaml', message: 'not a regular file (a device); not read' }] : []),
      { file: 'pipe.yaml', message: 'not a regular file (a FIFO); not read' },
    ]);
    expect(result.findings.map((f) => f.file)).toEqual(['ep.yaml']);
    const run = spawnSync(process.execPath, [bin, 'pipe.yaml', 'ep.yaml'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/✖ pipe\.yaml: not a regular file \(a FIFO\); not read/);
  });

  it('the reader opens a FIFO (put where a walked file was) without waiting for a writer, and refuses it', () => {
    const fifo = path.join(makeTempDir(), 'pipe.yaml');
    execOk('mkfifo', [fifo]);
    // In a child process: a blocking open would hang this one.
    const reader = pathToFileURL(path.join(repoRoot, 'dist/src/read-file.js')).href;
    const script = `const { ScratchReader } = await import(${JSON.stringify(reader)}); try { new ScratchReader(1000).read(${JSON.stringify(fifo)}); } catch (e) { console.log(e.message); }`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(run.stdout.trim()).toBe('not a regular file');
  });

  it('a file name that is not UTF-8 is reported by name, walked or given, not as "ENOENT"', () => {
    const dir = writeTree({ 'ep.yaml': EP });
    const raw = Buffer.concat([Buffer.from(dir + '/caf'), Buffer.from([0xe9]), Buffer.from('.yaml')]);
    fs.writeFileSync(raw, EP);
    const walked = spawnSync(process.execPath, [bin, '--format', 'json', '.'], { cwd: dir, encoding: 'utf8' });
    const report = JSON.parse(walked.stdout);
    expect(report.errors).toEqual([{ file: 'caf\uFFFD.yaml', message: 'cannot be read: its name is not valid UTF-8, which slicefix cannot open; rename it' }]);
    expect(report.findings.map((f: { file: string }) => f.file)).toEqual(['ep.yaml']);
    expect(walked.status).toBe(1);
    // Named on the command line (as a shell passes it: raw bytes).
    const named = spawnSync('bash', ['-c', `exec "${process.execPath}" "${bin}" --format json "$(printf 'caf\\351.yaml')"`], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(named.stdout).errors).toEqual([{ file: 'caf\uFFFD.yaml', message: 'no such file or directory (its name is not valid UTF-8, which slicefix cannot open; rename it)' }]);
  });
});

describe('encodings', () => {
  const utf16 = (text: string, order: 'le' | 'be') => {
    const bytes = Buffer.from(`\uFEFF${text}`, 'utf16le');
    return order === 'be' ? bytes.swap16() : bytes;
  };

  for (const order of ['le', 'be'] as const) {
    it(`UTF-16${order.toUpperCase()} with a BOM is scanned, and fixed in the same encoding, BOM and line endings`, async () => {
      const input = utf16(EP.replace(/\n/g, '\r\n'), order);
      const dir = writeTree({ 'ep.yaml': input, 'other.yaml': utf16('kind: ConfigMap\r\n', order) });
      const report = await lint(dir, rules);
      expect(report.result.errors).toEqual([]);
      expect(report.result.findings.map((f) => [f.file, f.ruleId, f.line])).toEqual([['ep.yaml', 'endpoints-manifest', 1]]);
      expect(report.result.summary.filesScanned).toBe(2);

      const fixed = await lint(dir, rules, { fix: true });
      expect(fixed.result.errors).toEqual([]);
      expect(fixed.result.summary.fixed).toBe(1);
      const bytes = fs.readFileSync(path.join(dir, 'ep.yaml'));
      expect([...bytes.subarray(0, 2)]).toEqual(order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]);
      const text = new TextDecoder(`utf-16${order}`).decode(bytes);
      expect(text).toContain('kind: EndpointSlice\r\n');
      expect(text.replace(/\r\n/g, '')).not.toContain('\n');
      const again = await lint(dir, rules, { fix: true });
      expect(again.result.summary.fixed).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'ep.yaml')).equals(bytes)).toBe(true);
    });
  }

  it('UTF-16 that does not decode is an error naming the file and the encoding', async () => {
    const broken = Buffer.concat([utf16(EP, 'le'), Buffer.from([0x00, 0xd8, 0x41, 0x00])]); // a lone high surrogate
    const { result } = await lint(writeTree({ 'ep.yaml': broken }), rules);
    expect(result.errors).toEqual([{ file: 'ep.yaml', message: 'not valid UTF-16LE text (it starts with that byte order mark); not scanned' }]);
    expect(result.summary.filesScanned).toBe(0);
  });

  it('text that is not UTF-8: the error says where, it is not counted as scanned, and the summary agrees with exit 1', async () => {
    const dir = writeTree({ 'latin1.yaml': Buffer.concat([Buffer.from(EP), Buffer.from('# caf\xe9\n', 'latin1')]), 'ok.yaml': 'a: 1\n' });
    const json = await cli(['--format', 'json'], dir);
    const report = JSON.parse(json.stdout);
    expect(report.errors).toEqual([{ file: 'latin1.yaml', message: 'not valid UTF-8 text (byte 0xE9 on line 10); not scanned' }]);
    expect(report.summary.filesScanned).toBe(1);
    const text = await cli([], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(/no problems/);
    expect(text.stdout).toMatch(/✖ 1 file could not be checked\n {2}1 file scanned\n$/);
  });
});

/**
 * Whether the unprivileged user can run slicefix from this checkout and reach a temporary folder: not where the
 * clone or the temporary directory sits in a folder only root may enter (a clone under /root, a private TMPDIR).
 */
function nobodyCanRun(dir: string): boolean {
  const probe = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(bin)}); require('fs').readdirSync(${JSON.stringify(dir)})`], { encoding: 'utf8' });
  if (probe.status !== 0) console.warn(`skipping the other-owner test: user nobody cannot run slicefix from this checkout or enter ${dir}`);
  return probe.status === 0;
}

describe('not root', () => {
  it.runIf(isRoot)('a writable file of another owner is not rewritten (it would change owner), and says why', (context) => {
    const dir = writeTree({ 'ep.yaml': EP, 'mine.yaml': EP });
    fs.chmodSync(dir, 0o777);
    if (!nobodyCanRun(dir)) return context.skip();
    fs.chmodSync(path.join(dir, 'ep.yaml'), 0o666); // root's, writable to everyone
    fs.chownSync(path.join(dir, 'mine.yaml'), 65534, 65534);
    const run = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, '--fix', '--format', 'json', '.'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, HOME: dir, SLICEFIX_NO_COMPILE_CACHE: '1' },
    });
    const report = JSON.parse(run.stdout);
    expect(report.errors).toEqual([{ file: 'ep.yaml', message: 'the fix could not be written (it belongs to user 0, group 0, which a rewritten file could not keep); the file is unchanged' }]);
    expect(report.summary.fixed).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'ep.yaml'), 'utf8')).toBe(EP);
    expect(fs.statSync(path.join(dir, 'ep.yaml')).uid).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'mine.yaml'), 'utf8')).toContain('kind: EndpointSlice');
    expect(temps(dir)).toEqual([]);
  });
});
