// The demo binary as the browser test runs it: on a free loopback port, in a temporary working
// folder (its SQLite files land there), started and stopped as a deploy would.
import { spawn } from 'node:child_process';
import net from 'node:net';

// A port that was free a moment ago; the demo binds it, and binds it again after a restart.
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export class DemoServer {
  /// `binary` runs in `cwd` with `args` plus --port; call start() to get it listening.
  /// `scheme` 'https' when `args` give it a certificate (it then prints an https:// address).
  static async create(binary, cwd, args, scheme = 'http') {
    return new DemoServer(binary, cwd, args, await freePort(), scheme);
  }

  constructor(binary, cwd, args, port, scheme = 'http') {
    this.binary = binary;
    this.cwd = cwd;
    this.args = [...args, '--port', String(port)];
    this.base = `${scheme}://127.0.0.1:${port}`;
    this.log = '';  // stderr of every run, shown when a step fails
    this.child = null;
  }

  /// Resolves once the demo prints its address, as the README says it does.
  start() {
    // Two demos on one port would both serve it (cortado's listener sets SO_REUSEPORT), each
    // with its own memory: refuse rather than test a split server.
    if (this.child) return Promise.reject(new Error('the demo is already running'));
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, this.args, { cwd: this.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`demo did not print ${this.base} within 15 s`)), 15000);
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes(`${this.base}\n`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr.on('data', (chunk) => { this.log += chunk; });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`demo exited (${code ?? signal}) before listening`));
      });
      child.once('error', reject);
    });
  }

  /// SIGTERM: the server finishes the requests in flight and exits; SIGKILL after 10 s.
  stop() {
    const child = this.child;
    this.child = null;
    return new Promise((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      child.removeAllListeners('exit');
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async restart() {
    await this.stop();
    await this.start();
  }
}
