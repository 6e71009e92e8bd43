// A session-lab (cortado's or Node's) as a child process of a compatibility test: started on
// port 0, its port read from the "listening on 127.0.0.1:PORT" line, stopped with a signal.
// Shared by session_compare.mjs and store_sharing.mjs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const STOP_TIMEOUT_MS = 5000;

// Every process started and not yet exited, so that a test can stop them all when it is cut short.
export const running = new Set();

export class LabProcess {
  constructor(label, command, args, { startTimeoutMs = 10000 } = {}) {
    this.label = label;
    this.command = command;
    this.args = args;
    this.startTimeoutMs = startTimeoutMs;
    this.stdout = '';
    this.stderr = '';
    this.exit = null;
  }

  // Resolves {port} once it listens, {exited: {code, signal}} if it exits first, or
  // {timeout: true}.
  start() {
    this.proc = spawn(this.command, this.args, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this);
    this.exited = new Promise((resolve) => {
      const ended = (exit) => {
        this.exit = exit;
        running.delete(this);
        resolve(exit);
      };
      this.proc.on('exit', (code, signal) => ended({ code, signal }));
      this.proc.on('error', (err) => {
        this.stderr += String(err) + '\n';
        ended({ code: -1, signal: null });
      });
    });
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ timeout: true }), this.startTimeoutMs);
      this.proc.stdout.on('data', (d) => {
        this.stdout += d;
        const m = /^listening on 127\.0\.0\.1:(\d+)\n/m.exec(this.stdout);
        if (m && !this.port) {
          this.port = Number(m[1]);
          clearTimeout(timer);
          resolve({ port: this.port });
        }
      });
      this.exited.then((exit) => {
        clearTimeout(timer);
        setTimeout(() => resolve({ exited: exit }), 50);  // let the pipes drain first
      });
    });
  }

  // start(), but a process that does not listen is an Error saying why.
  async listen() {
    const started = await this.start();
    if (started.port) return this;
    if (started.timeout) throw new Error(`${this.label} did not listen within ${this.startTimeoutMs} ms`);
    const why = this.stderr.trim().split('\n').pop() || '';
    const { code, signal } = started.exited;
    throw new Error(`${this.label} exited (code ${code}, signal ${signal}) before listening: ${why}`);
  }

  // Sends `signal`; after STOP_TIMEOUT_MS, SIGKILL. Resolves the exit ({signal: 'timeout'} then).
  async stop(signal = 'SIGTERM') {
    if (this.exit) return this.exit;
    this.proc.kill(signal);
    const timer = new Promise((resolve) => setTimeout(() => resolve(null), STOP_TIMEOUT_MS));
    const exit = await Promise.race([this.exited, timer]);
    if (exit) return exit;
    this.proc.kill('SIGKILL');
    await this.exited;
    return { code: null, signal: 'timeout' };
  }
}
