// Shared set-up for the browser tests: a databunker server of its own (demo
// mode, fresh temp data dir), Debian's chromium through playwright-core, a
// guard that fails the test on any request leaving 127.0.0.1, and
// screenshots into test-output/ui/.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const SHOTS = path.join(ROOT, 'test-output', 'ui');
const BIN = process.env.DATABUNKER_BIN || path.join(ROOT, 'build', 'databunker');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

// Start a server. opts: {demo: true, conf: 'yaml text', env: {}}
export async function startServer(opts = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dbk-ui-'));
  const port = await freePort();
  const args = [opts.demo === false ? '-start' : 'demo', '-db', path.join(dir, 'ui.db'),
    '-host', '127.0.0.1', '-port', String(port)];
  const env = { ...process.env, ...(opts.env || {}) };
  delete env.DATABUNKER_ROOTTOKEN;
  if (opts.conf) {
    writeFileSync(path.join(dir, 'databunker.yaml'), opts.conf);
    args.push('-conf', path.join(dir, 'databunker.yaml'));
  }
  if (!existsSync(BIN)) throw new Error(`databunker binary not found at ${BIN}`);
  const proc = spawn(BIN, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`databunker exited: ${log}`);
    try {
      const r = await fetch(`${url}/status`);
      if (r.ok) break;
    } catch (e) { /* not yet */ }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`databunker did not start: ${log}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, dir, proc, log: () => log,
    async stop() {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([done, new Promise((r) => setTimeout(r, 10000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      const findings = log.split('\n').filter((l) => /ERROR: (Address|Leak)Sanitizer|runtime error:/.test(l));
      rmSync(dir, { recursive: true, force: true });
      if (findings.length) throw new Error(`sanitizer findings:\n${findings.join('\n')}`);
    },
  };
}

// A JSON API call with the root token (for test set-up).
export async function rootCall(srv, method, p, body, token = 'DEMO') {
  const r = await fetch(srv.url + p, {
    method, headers: { 'X-Bunker-Token': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

// A browser page on <srv> that records outside requests, page errors and
// console errors (CSP violations show there).
export async function openBrowser() {
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'dbk-chromium-'));
  // A persistent context is how playwright takes a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    viewport: { width: 1200, height: 900 },
    acceptDownloads: true,
  });
  const browser = context;
  const problems = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname !== '127.0.0.1') {
      problems.push(`request outside the server: ${u.href}`);
      return route.abort();
    }
    return route.continue();
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (4\d\d)/.test(m.text())) {
      problems.push(`console error: ${m.text()}`);
    }
  });
  page.setDefaultTimeout(15000);
  return {
    browser, context, page, problems,
    async close() {
      await browser.close();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
