'use strict';
// A real aop service for the add-ins' tests: `aop sheets-emulator` and
// `aop serve` run as child processes on random ports in a temporary folder,
// with a fresh SQLite database, a finance-admin token and the demo cycle
// (Kestrel Analytics) loaded. Rounds open on either backend: xlsx (the
// Excel add-in's uploads) or sheets (spreadsheets in the emulator, which the
// Apps Script menu reads through aop).
//
//   const { startAop } = require('./support/aop');
//   const aop = await startAop();             // in before(); aop.stop() in after()
//   const round = await aop.openRound({ backend: 'sheets', departments: 2 });
//   const { status, body } = await aop.api('GET', `/api/v1/rounds/${round.id}`);
//
// The binary is ../bin/aop (what `make build` writes); AOP_BIN overrides it,
// and a missing binary is built once with `go build`. Children are killed
// when the test process exits, and every failure carries their logs.

const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..', '..', '..');
const children = new Set();

function killChildren() {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killChildren);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killChildren(); process.exit(130); });
}

/** binary returns the aop binary, building it once when it is missing. */
function binary() {
  const bin = process.env.AOP_BIN || path.join(repo, 'bin', 'aop');
  if (!fs.existsSync(bin)) {
    execFileSync('go', ['build', '-o', bin, './cmd/aop'], { cwd: repo, stdio: 'inherit' });
  }
  return bin;
}

/** freePort asks the kernel for a free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * waitFor polls fn (sync or async) until it returns a truthy value, which it
 * returns; after timeout ms it throws with `what` and the last value or
 * error.
 */
async function waitFor(fn, { timeout = 60000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.stack : JSON.stringify(last);
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last: ${detail}`);
    }
    await sleep(interval);
  }
}

/** A child process whose output is kept for error messages. */
class Child {
  constructor(name, bin, args, opts) {
    this.name = name;
    this.log = '';
    this.proc = spawn(bin, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.proc);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, sig) => {
      children.delete(this.proc);
      this.exitCode = code ?? sig;
      resolve();
    }));
    const keep = (d) => { this.log += d.toString(); };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
  }

  get running() { return this.exitCode === undefined; }

  async stop() {
    if (!this.running) return;
    this.proc.kill('SIGINT');
    const killed = sleep(10000).then(() => { if (this.running) this.proc.kill('SIGKILL'); });
    await Promise.race([this.exited, killed]);
    await this.exited;
  }
}

/** demoCycle returns the path of the demo cycle file, written once per binary by `aop demo`. */
function demoCycle(bin) {
  const st = fs.statSync(bin);
  const tag = crypto.createHash('sha256').update(`${bin}:${st.size}:${st.mtimeMs}`).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), `aop-addin-demo-${tag}`);
  const file = path.join(dir, 'cycle.yaml');
  if (fs.existsSync(file)) return file;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aop-addin-demo-tmp-'));
  execFileSync(bin, ['demo', '--out', tmp], { stdio: 'ignore' });
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    if (!fs.existsSync(file)) throw err; // another test process won the race
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return file;
}

/** ownersOf reads each department's id and owner from a cycle file, in order. */
function ownersOf(yaml) {
  const out = [];
  let cur = null;
  let inDepts = false;
  for (const line of yaml.split('\n')) {
    if (/^\S/.test(line)) inDepts = line.startsWith('departments:');
    if (!inDepts) continue;
    let m = line.match(/^\s*-\s+id:\s*(\S+)/);
    if (m) { cur = { id: m[1].replace(/^"|"$/g, ''), owner: '', parent: '' }; out.push(cur); continue; }
    m = line.match(/^\s+owner:\s*(\S+)/);
    if (m && cur) cur.owner = m[1].replace(/^"|"$/g, '');
    m = line.match(/^\s+parent:\s*(\S+)/);
    if (m && cur) cur.parent = m[1].replace(/^"|"$/g, '');
  }
  return out;
}

/** The Sheets/Drive emulator: its API, and its routes to act as a person. */
class Emulator {
  constructor(child, fields) {
    this.child = child;
    Object.assign(this, fields); // url, drive, template, serviceAccount, keyFile
  }

  /** token is a person's (or the service account's) access token. */
  async token(email) {
    const r = await fetch(`${this.url}/_emulator/token?email=${encodeURIComponent(email)}`);
    if (r.status !== 200) throw new Error(`emulator token for ${email}: ${r.status} ${await r.text()}`);
    return (await r.json()).access_token;
  }

  /**
   * edit types values (rows of cells) into an A1 range as user, as the
   * Sheets UI would; it answers { status, text } (a refusal is not thrown:
   * protected cells and data validation refuse people).
   */
  async edit(user, spreadsheetId, range, values) {
    const r = await fetch(`${this.url}/_emulator/edit`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user, spreadsheetId, range, values }),
    });
    return { status: r.status, text: await r.text() };
  }

  /** sheetsApi calls the emulated Sheets/Drive API as email and answers the parsed JSON. */
  async sheetsApi(email, method, apiPath, body) {
    const r = await fetch(this.url + apiPath, {
      method,
      headers: { Authorization: `Bearer ${await this.token(email)}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`${method} ${apiPath} as ${email}: ${r.status} ${text}`);
    return JSON.parse(text);
  }

  /** values reads A1 ranges (formatted as a person sees them) as email: one array of rows per range. */
  async values(email, spreadsheetId, ...ranges) {
    const q = new URLSearchParams();
    for (const r of ranges) q.append('ranges', r);
    const out = await this.sheetsApi(email, 'GET', `/v4/spreadsheets/${spreadsheetId}/values:batchGet?${q}`);
    return (out.valueRanges || []).map((v) => v.values || []);
  }

  /** stats is GET /_emulator/stats: request counts, overall and by spreadsheet. */
  async stats() {
    return (await fetch(`${this.url}/_emulator/stats`)).json();
  }
}

/**
 * startAop starts the emulator and the service and loads the demo cycle.
 * Options: extraConfig (YAML lines appended to the service's config).
 */
async function startAop({ extraConfig = '' } = {}) {
  const bin = binary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aop-addin-test-'));
  const env = { ...process.env, AOP_SIGNING_KEY: '', AOP_DATABASE_URL: '', AOP_GOOGLE_CREDENTIALS: '' };
  const children = [];
  const aop = { dir, bin, children };
  const logs = () => children.map((c) => `--- ${c.name} (${c.running ? 'running' : `exited ${c.exitCode}`}) ---\n${c.log}`).join('\n');
  const fail = (msg) => { throw new Error(`${msg}\n${logs()}`); };

  try {
    // The emulator prints its address, drive, template and account.
    const keyFile = path.join(dir, 'service-account.json');
    const emu = new Child('aop sheets-emulator', bin,
      ['sheets-emulator', '--addr', '127.0.0.1:0', '--credentials-out', keyFile], { cwd: dir, env });
    children.push(emu);
    const fields = await waitFor(() => {
      if (!emu.running) fail('aop sheets-emulator exited');
      const get = (label) => (emu.log.match(new RegExp(`${label}\\s*(\\S+)`)) || [])[1];
      if (!/user tokens:/.test(emu.log)) return null;
      return { url: get('sheets emulator listening on'), drive: get('shared drive:'), template: get('master template:'),
        serviceAccount: get('service account:'), keyFile };
    }, { timeout: 30000, what: 'the emulator to start' });
    aop.emulator = new Emulator(emu, fields);

    const port = await freePort();
    aop.url = `http://127.0.0.1:${port}`;
    aop.config = path.join(dir, 'config.yaml');
    fs.writeFileSync(aop.config, [
      `listen: 127.0.0.1:${port}`,
      `public_url: ${aop.url}`,
      'database: data/aop.db',
      'signing_key_file: data/signing.key',
      'rate_limit: {per_second: 200, burst: 400}',
      'google:',
      `  credentials_file: ${keyFile}`,
      `  endpoint: ${fields.url}`,
      `  shared_drive: ${fields.drive}`,
      `  template: ${fields.template}`,
      extraConfig,
    ].join('\n') + '\n', { mode: 0o600 });
    const serve = new Child('aop serve', bin, ['serve', '--config', aop.config], { cwd: dir, env });
    children.push(serve);
    aop.serve = serve;
    await waitFor(async () => {
      if (!serve.running) fail('aop serve exited');
      try { return (await fetch(`${aop.url}/readyz`)).status === 200; } catch { return false; }
    }, { timeout: 30000, what: 'aop serve to be ready' });

    /** token creates an API token with `aop token create`. */
    aop.token = (role, department = '') => {
      const args = ['token', 'create', '--config', aop.config, '--role', role, '--name', `${role}${department}-${crypto.randomUUID().slice(0, 8)}`];
      if (department) args.push('--department', department);
      try {
        return execFileSync(bin, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
      } catch (err) {
        return fail(`aop token create: ${err.message} ${err.stderr || ''}`);
      }
    };
    aop.admin = aop.token('finance-admin');

    /**
     * api calls the service and answers { status, headers, text, body }
     * (body is the parsed JSON, when the answer is JSON). A body that is a
     * Buffer is sent as an .xlsx file, a string as YAML, anything else as
     * JSON. token defaults to the finance-admin token ('' sends none).
     * 429s are waited out, as a client would.
     */
    aop.api = async (method, apiPath, body, token = aop.admin, headers = {}) => {
      const h = { ...headers };
      if (token) h.Authorization = `Bearer ${token}`;
      let data;
      if (Buffer.isBuffer(body)) {
        data = body; h['Content-Type'] = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      } else if (typeof body === 'string') {
        data = body; h['Content-Type'] = 'application/yaml';
      } else if (body !== undefined) {
        data = JSON.stringify(body); h['Content-Type'] = 'application/json';
      }
      for (let tries = 0; ; tries++) {
        let r;
        try {
          r = await fetch(aop.url + apiPath, { method, headers: h, body: data });
        } catch (err) {
          return fail(`${method} ${apiPath}: ${err.message}`);
        }
        if (r.status === 429 && tries < 100) { await sleep(50); continue; }
        const buf = Buffer.from(await r.arrayBuffer());
        const out = { status: r.status, headers: r.headers, text: buf.toString(), buffer: buf };
        if ((r.headers.get('content-type') || '').includes('json') && buf.length) out.body = JSON.parse(out.text);
        return out;
      }
    };

    /** call is api that insists on a status and answers the parsed body. */
    aop.call = async (method, apiPath, body, want = 200, token = aop.admin) => {
      const r = await aop.api(method, apiPath, body, token);
      if (r.status !== want) fail(`${method} ${apiPath}: want ${want}, got ${r.status}: ${r.text}`);
      return r.body;
    };

    aop.waitFor = waitFor;

    /** waitJob polls GET /api/v1/jobs/{id} until the job completes, and answers it. */
    aop.waitJob = async (id, timeout = 90000) => {
      const deadline = Date.now() + timeout;
      for (;;) {
        const job = await aop.call('GET', `/api/v1/jobs/${id}`);
        if (job.state === 'completed') return job;
        if (job.state === 'discarded' || Date.now() > deadline) fail(`job ${id} is ${job.state}: ${JSON.stringify(job)}`);
        await sleep(50);
      }
    };

    /** status is GET /api/v1/rounds/{id}: the round and each department's status. */
    aop.status = (round) => aop.call('GET', `/api/v1/rounds/${round}`);

    // The demo cycle: departments with owners, a leaf of each.
    const cycleFile = demoCycle(bin);
    aop.cycleYAML = fs.readFileSync(cycleFile, 'utf8');
    aop.cycle = await aop.call('POST', '/api/v1/cycles?name=cycle.yaml', aop.cycleYAML);
    const all = ownersOf(aop.cycleYAML);
    const parents = new Set(all.map((d) => d.parent));
    aop.departments = all.filter((d) => !parents.has(d.id)); // the leaves: { id, owner }

    /**
     * openRound opens a round for the first n leaf departments with an
     * owner (or the ids given) on a backend ('xlsx' or 'sheets') and waits
     * until their workbooks or spreadsheets exist. It answers the round
     * with departments: [{ id, owner, spreadsheet }] (spreadsheet: { id,
     * url } for sheets rounds).
     */
    aop.openRound = async ({ backend = 'xlsx', departments = 2, name } = {}) => {
      const ids = Array.isArray(departments) ? departments
        : aop.departments.filter((d) => d.owner).slice(0, departments).map((d) => d.id);
      const due = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      const round = await aop.call('POST', '/api/v1/rounds', {
        cycle: aop.cycle.id, name: name || `${backend} round ${crypto.randomUUID().slice(0, 6)}`, due, departments: ids, backend,
      }, 201);
      const st = await waitFor(async () => {
        const s = await aop.status(round.id);
        if (backend === 'sheets') return s.spreadsheets === ids.length && s;
        return s;
      }, { timeout: 90000, what: `round ${round.id}'s spreadsheets` });
      const byId = Object.fromEntries(aop.departments.map((d) => [d.id, d]));
      round.departments = st.departments.map((d) => ({ id: d.department, owner: (byId[d.department] || {}).owner,
        spreadsheet: d.spreadsheet }));
      return round;
    };

    /** workbook downloads a department's .xlsx once aop has written it (a Buffer). */
    aop.workbook = (round, dept, token = aop.admin) => waitFor(async () => {
      const r = await aop.api('GET', `/api/v1/rounds/${round}/departments/${dept}/workbook`, undefined, token);
      if (r.status !== 200 && r.status !== 404) fail(`workbook of ${dept}: ${r.status} ${r.text}`);
      return r.status === 200 && r.buffer;
    }, { timeout: 90000, interval: 50, what: `the workbook of ${dept}` });

    aop.logs = logs;

    /** stop ends the service and the emulator and removes the temporary folder. */
    aop.stop = async () => {
      for (const c of [...children].reverse()) await c.stop();
      if (!process.env.AOP_KEEP_TEST_DIR) fs.rmSync(dir, { recursive: true, force: true });
    };
    return aop;
  } catch (err) {
    for (const c of children) await c.stop();
    throw err;
  }
}

module.exports = { startAop, waitFor, binary, freePort, ownersOf };
