// The judges can fail: a copy of the working tree with one field (`vcpus`) dropped from Nova's
// flavor view runs the CLI scenario and Tempest's flavor tests; both must pass on the copy as
// is and turn red on the broken one. Usage: npm run harness:can-fail

import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const VIEW = 'routes/compute/views/flavors.ts';
const FIELD = '    vcpus: f.vcpus,\n';
const CLI_TEST = ['--import', 'tsx', '--test', '--test-name-pattern', 'flavor list includes', 'test/clients/compute-cli.test.ts'];
const TEMPEST = ['--import', 'tsx', 'test/tempest/run.ts', '--only', 'tempest.api.compute.flavors', '--no-gate'];

interface Run {
  code: number;
  out: string;
}

const node = (cwd: string, args: string[]) =>
  new Promise<Run>((done) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });

/** The working tree's tracked and new files (not ignored ones), with main's node_modules. */
async function copyTree(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'dicot-can-fail-'));
  const list = await new Promise<string>((done, fail) =>
    execFile('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (e, out) => (e ? fail(e) : done(out))),
  );
  for (const file of list.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(ROOT, file), join(dir, file));
    } catch {
      // a tracked file deleted in the working tree
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** The CLI scenario's verdict (Node's runner totals) and Tempest's (the runner's last line). */
async function judge(dir: string): Promise<{ cli: { pass: number; fail: number }; tempest: { passed: number; failed: number } }> {
  // Independent runs, each on its own gateway and sandbox: in parallel.
  const [cli, tempest] = await Promise.all([node(dir, CLI_TEST), node(dir, TEMPEST)]);
  const count = (out: string, re: RegExp) => Number(re.exec(out)?.[1] ?? Number.NaN);
  const verdict = {
    cli: { pass: count(cli.out, /^# pass (\d+)/m), fail: count(cli.out, /^# fail (\d+)/m) },
    tempest: { passed: count(tempest.out, /(\d+) passed, \d+ failed/), failed: count(tempest.out, /\d+ passed, (\d+) failed/) },
  };
  if ([verdict.cli.pass, verdict.cli.fail, verdict.tempest.passed, verdict.tempest.failed].some(Number.isNaN)) {
    throw new Error(`a judge did not report:\n${cli.out.slice(-2000)}\n${tempest.out.slice(-2000)}`);
  }
  return verdict;
}

async function main() {
  const [intactDir, brokenDir] = [await copyTree(), await copyTree()];
  let ok = true;
  const expect = (what: string, cond: boolean) => {
    console.log(`${cond ? 'ok    ' : 'NOT OK'} ${what}`);
    ok &&= cond;
  };
  try {
    const source = readFileSync(join(brokenDir, VIEW), 'utf8');
    if (!source.includes(FIELD)) throw new Error(`${VIEW} no longer holds ${JSON.stringify(FIELD)}: update this check`);
    writeFileSync(join(brokenDir, VIEW), source.replace(FIELD, ''));
    const [intact, broken] = await Promise.all([judge(intactDir), judge(brokenDir)]);
    console.log('intact tree:', JSON.stringify(intact));
    expect('the CLI scenario passes on the intact tree', intact.cli.pass === 1 && intact.cli.fail === 0);
    expect("Tempest's flavor tests pass on the intact tree", intact.tempest.passed > 0 && intact.tempest.failed === 0);
    console.log('flavor view without vcpus:', JSON.stringify(broken));
    expect('the CLI scenario fails without vcpus', broken.cli.fail === 1);
    expect("Tempest's flavor tests fail without vcpus", broken.tempest.failed > 0);
  } finally {
    for (const dir of [intactDir, brokenDir]) rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${ok ? 4 : 'some'} expectations ${ok ? 'met' : 'NOT met'}`);
  process.exit(ok ? 0 : 1);
}

await main();
