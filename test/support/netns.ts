import { spawn, execFile, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a command and returns its output; rejects with its stderr on failure. */
export async function run(cmd: string, args: string[], input?: string): Promise<ExecResult> {
  if (input === undefined) {
    const { stdout, stderr } = await execFileAsync(cmd, args, { maxBuffer: 16 * 1024 * 1024 });
    return { stdout, stderr };
  }
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve({ stdout, stderr }),
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/**
 * A set of network namespaces and the processes started in them, owned by one test
 * file. Names are unique per run (pid + random) so parallel runs never collide;
 * `destroy()` kills what it started (by PID, checked against /proc) and deletes the
 * namespaces, even after a failure.
 */
export class NetnsLab {
  readonly id: string;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<{ child: ChildProcess; cmd: string }>();

  constructor(prefix: string) {
    this.id = `${prefix}-${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  }

  /** Creates `<id>-<suffix>` with its loopback up; returns its name. */
  async addNamespace(suffix: string): Promise<string> {
    const name = `${this.id}-${suffix}`;
    await run('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /** `ip -n <ns> <args…>`. */
  async ip(ns: string, ...args: string[]): Promise<ExecResult> {
    return run('ip', ['-n', ns, ...args]);
  }

  /** Runs a command inside a namespace to completion. */
  async exec(ns: string, cmd: string, args: string[], input?: string): Promise<ExecResult> {
    return run('ip', ['netns', 'exec', ns, cmd, ...args], input);
  }

  /**
   * Starts a long-running process inside a namespace. `ip netns exec` execs the command
   * in place, so the child's PID is the command's PID.
   */
  spawn(ns: string, cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const entry = { child, cmd };
    this.children.add(entry);
    child.once('exit', () => this.children.delete(entry));
    return child;
  }

  /** Sends SIGTERM to one child started here, SIGKILL after `graceMs`; resolves on exit. */
  async stop(child: ChildProcess, graceMs = 3000): Promise<void> {
    const entry = [...this.children].find((e) => e.child === child);
    if (!entry || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (!isOurs(child.pid, entry.cmd)) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (child.pid !== undefined && isOurs(child.pid, entry.cmd)) child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await Promise.allSettled([...this.children].map((e) => this.stop(e.child)));
    for (const ns of this.namespaces.splice(0).reverse()) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}

/** PIDs wrap: only signal a PID whose command line is still the one we started. */
function isOurs(pid: number, cmd: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((part) => part === cmd || part.endsWith(`/${cmd}`)) || cmdline[0] === 'ip';
  } catch {
    return false;
  }
}
