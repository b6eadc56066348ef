// Start ecs-image-emulator from Node tests: one process on a free port of 127.0.0.1, its admin
// API (reset, world, profile, progress policy, request log, fault rules, tasks), and @alicloud/ecs20140526 clients
// configured for each account of its world.
//
// The binary is, in this order: `binary` given to start(); the ECS_EMULATOR_BIN environment
// variable; the repository that holds this package or the current directory (or ECS_EMULATOR_REPO),
// built there with `cargo build -p ecs-image-emulator` (`--release` when
// ECS_EMULATOR_CARGO_PROFILE=release); else `ecs-image-emulator` on PATH.
//
// The SDK is loaded from the current directory's node_modules first (your project), then from
// beside this package, so an `npm install <repo>/node/ecs-emulator` symlink works.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync, accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'ecs-image-emulator';
const BANNER = 'ecs-image-emulator: listening on http://';
const HERE = dirname(fileURLToPath(import.meta.url));

/** The emulator could not be found, built or started, or its admin API refused a call. */
export class EmulatorError extends Error {
  constructor(message, { status, body } = {}) {
    super(message);
    this.name = 'EmulatorError';
    this.status = status;
    this.body = body;
  }
}

function isRepo(dir) {
  return existsSync(join(dir, 'Cargo.toml')) && existsSync(join(dir, 'emulator', 'Cargo.toml'));
}

function findRepo() {
  for (const start of [process.env.ECS_EMULATOR_REPO, HERE, process.cwd()]) {
    if (!start) continue;
    let dir = resolve(start);
    for (;;) {
      if (isRepo(dir)) return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The emulator binary's path, building it when it comes from a checkout. */
export function findBinary() {
  const given = process.env.ECS_EMULATOR_BIN;
  if (given) {
    if (!executable(given)) throw new EmulatorError(`ECS_EMULATOR_BIN=${given} is not an executable file`);
    return given;
  }
  const repo = findRepo();
  if (repo) {
    const release = process.env.ECS_EMULATOR_CARGO_PROFILE === 'release';
    const args = ['build', '--quiet', '-p', PACKAGE, ...(release ? ['--release'] : [])];
    try {
      execFileSync('cargo', args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new EmulatorError(`cargo build failed: ${e.stderr ?? e.message}`);
    }
    const metadata = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repo }));
    const binary = join(metadata.target_directory, release ? 'release' : 'debug', PACKAGE);
    if (!executable(binary)) throw new EmulatorError(`cargo built no ${binary}`);
    return binary;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, PACKAGE))) return join(dir, PACKAGE);
  }
  throw new EmulatorError(`no emulator binary: set ECS_EMULATOR_BIN, run from a checkout of the repository (or set ECS_EMULATOR_REPO), or put ${PACKAGE} on PATH`);
}

function loadSdk(name) {
  for (const base of [join(process.cwd(), 'package.json'), join(HERE, 'package.json')]) {
    try {
      return createRequire(base)(name);
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  throw new EmulatorError(`${name} is not installed: npm install ${name}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One running emulator. Make it with start(). */
export class Emulator {
  constructor({ child, dir, logPath, endpoint, binary }) {
    this.child = child;
    this.dir = dir;
    this.logPath = logPath;
    /** `127.0.0.1:<port>`: the SDKs' `endpoint`. */
    this.endpoint = endpoint;
    this.url = `http://${endpoint}`;
    this.binary = binary;
    this.initialProfile = null;
    this.initialProgress = null;
    this.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  }

  /** What the process printed so far. */
  output() {
    return readFileSync(this.logPath, 'utf8');
  }

  /** Stops the process (SIGTERM; SIGKILL after 10 s); resolves with its exit. */
  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
    return this.exited;
  }

  // ---- the admin API --------------------------------------------------------------------------

  /** Calls `/_emulator/<path>`; resolves with the decoded JSON answer. */
  async admin(method, path, { body, query } = {}) {
    const params = new URLSearchParams(Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== null));
    const url = `${this.url}/_emulator/${path}${params.size ? `?${params}` : ''}`;
    // JSON, said so: the admin API refuses text/plain, fetch's default for a string body.
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let decoded = null;
    try {
      decoded = text ? JSON.parse(text) : null;
    } catch {
      decoded = text;
    }
    if (!response.ok) {
      throw new EmulatorError(`${method} /_emulator/${path}: ${response.status} ${text}`, { status: response.status, body: decoded });
    }
    return decoded;
  }

  /** Back to the starting world, profile and progress policy; empties the request log, removes every fault rule. */
  async reset() {
    await this.admin('POST', 'reset', { body: {} });
    await this.admin('PUT', 'profile', { body: this.initialProfile });
    // The emulator's reset keeps the policy in force: a test's setProgress would outlive it.
    await this.setProgress(this.initialProgress);
  }

  world() {
    return this.admin('GET', 'world');
  }

  /** Replaces the world (the JSON document of `--world`) until the next reset. */
  setWorld(world) {
    return this.admin('PUT', 'world', { body: world });
  }

  /** An image of the current world, or null. */
  async image(imageId) {
    const world = await this.world();
    return world.store.images.find((i) => i.id === imageId) ?? null;
  }

  profile() {
    return this.admin('GET', 'profile');
  }

  /** Sets the profile (catalog, missingImage, precedence) until the next reset. */
  setProfile(profile) {
    return this.admin('PUT', 'profile', { body: profile });
  }

  /** The progress policy in force, as the binary writes it (e.g. 'after:1'). */
  async progress() {
    return (await this.admin('GET', 'progress')).Progress;
  }

  /**
   * Sets how the service's own work advances until the next reset: 'immediate',
   * 'after:<seconds>', 'after-describes:<n>' or 'manual', for every kind, or per kind after a
   * comma ('manual,instance=after:0.3'; kinds image-creation, import, export, copy, snapshot,
   * instance). Under 'manual', only completeTasks() ends work.
   */
  setProgress(policy) {
    return this.admin('PUT', 'progress', { body: { Progress: policy } });
  }

  /** Ends running tasks and CreateImage creations: all, or { taskId }, or { imageId }; outcome 'Finished' or 'Failed'. */
  completeTasks({ taskId, imageId, outcome } = {}) {
    return this.admin('POST', 'tasks/complete', { query: { TaskId: taskId, ImageId: imageId, Outcome: outcome } });
  }

  /** The request log, oldest first, optionally of one action and/or one caller. */
  async requests({ action, caller } = {}) {
    return (await this.admin('GET', 'requests', { query: { Action: action, Caller: caller } })).Requests;
  }

  clearRequests() {
    return this.admin('DELETE', 'requests');
  }

  /**
   * Adds a fault rule; resolves with its id. `error`: 'Throttling', 'Throttling.User',
   * 'UnknownError', 'ServiceUnavailable' or 'InternalError'; `latencyMs`; matched by `action` and
   * optionally `caller` and `imageId`; fired on the `nth` matching call, `times` times, with
   * `probability` drawn from `seed`.
   */
  async addFault({ action, error, latencyMs, caller, imageId, nth, times, probability, seed }) {
    const rule = { Action: action, Error: error, LatencyMs: latencyMs, Caller: caller, ImageId: imageId, Nth: nth, Times: times, Probability: probability, Seed: seed };
    const body = Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined && v !== null));
    return (await this.admin('POST', 'faults', { body })).Id;
  }

  async faults() {
    return (await this.admin('GET', 'faults')).Faults;
  }

  removeFault(id) {
    return this.admin('DELETE', `faults/${id}`);
  }

  clearFaults() {
    return this.admin('DELETE', 'faults');
  }

  // ---- clients --------------------------------------------------------------------------------

  /** Account id -> { accessKeyId, accessKeySecret }, from the current world. */
  async accounts() {
    const world = await this.world();
    return Object.fromEntries(world.accounts
      .filter((a) => a.accessKeys?.length)
      .map((a) => [a.id, { accessKeyId: a.accessKeys[0].id, accessKeySecret: a.accessKeys[0].secret ?? 'any' }]));
  }

  /** An @alicloud/openapi-core Config for the account (default: the world's first), pointed here. */
  async config({ account, region = 'cn-hangzhou', ...options } = {}) {
    const accounts = await this.accounts();
    const id = account ?? Object.keys(accounts)[0];
    const keys = accounts[id];
    if (!keys) throw new EmulatorError(`no account ${id} with an access key in the world (accounts: ${Object.keys(accounts).join(', ')})`);
    const { $OpenApiUtil } = loadSdk('@alicloud/openapi-core');
    return new $OpenApiUtil.Config({ ...keys, endpoint: this.endpoint, protocol: 'http', regionId: region, ...options });
  }

  /** An @alicloud/ecs20140526 Client for the account; `options` go to its Config (e.g. retryOptions). */
  async client(options = {}) {
    const module = loadSdk('@alicloud/ecs20140526');
    const Client = module.default?.default ?? module.default ?? module;
    return new Client(await this.config(options));
  }

  /** Account id -> Client, for every account of the world. */
  async clients(options = {}) {
    const accounts = await this.accounts();
    const entries = await Promise.all(Object.keys(accounts).map(async (account) => [account, await this.client({ ...options, account })]));
    return Object.fromEntries(entries);
  }
}

/**
 * Starts an emulator on a free port. `world` (an object or a path), `profile` (an object) and
 * `progress` (a progress policy such as 'immediate', 'after:0.2' or 'manual'; default: the
 * ECS_EMULATOR_PROGRESS environment variable, else the binary's 'after:1') are what it starts
 * with and what reset() goes back to; without a world, the built-in demo world.
 */
export async function start({ world, profile, progress = process.env.ECS_EMULATOR_PROGRESS, binary, startupTimeoutMs = 30_000 } = {}) {
  const path = binary ?? findBinary();
  const dir = mkdtempSync(join(tmpdir(), 'ecs-emulator-'));
  const args = ['--listen', '127.0.0.1:0'];
  const file = (name, value) => {
    if (typeof value === 'string') return value;
    const target = join(dir, name);
    writeFileSync(target, JSON.stringify(value));
    return target;
  };
  if (world !== undefined) args.push('--world', file('world.json', world));
  if (profile !== undefined) args.push('--profile', file('profile.json', profile));
  if (progress) args.push('--progress', progress);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ECS_EMULATOR_')));
  const logPath = join(dir, 'emulator.log');
  const log = openSync(logPath, 'w');
  const child = spawn(path, args, { stdio: ['ignore', log, log], env });
  closeSync(log);
  const deadline = Date.now() + startupTimeoutMs;
  for (;;) {
    const line = readFileSync(logPath, 'utf8').split('\n').find((l) => l.startsWith(BANNER));
    if (line) {
      const emulator = new Emulator({ child, dir, logPath, endpoint: line.slice(BANNER.length).trim(), binary: path });
      emulator.initialProfile = await emulator.profile();
      emulator.initialProgress = await emulator.progress();
      return emulator;
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      const output = readFileSync(logPath, 'utf8');
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new EmulatorError(`the emulator did not start:\n${output}`);
    }
    await sleep(50);
  }
}
