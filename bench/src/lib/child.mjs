// Runs a worker module in its own Node process, talks to it over IPC, never lets it outlive the run.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKERS = fileURLToPath(new URL("../workers/", import.meta.url));

/** Every child still running, killed if the harness exits first. */
const live = new Set();
process.on("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

/**
 * @typedef {object} Child
 * @property {(msg: object) => void} send
 * @property {(type: string, timeoutMs?: number) => Promise<any>} next - the next message of `type`
 * @property {(msg: object, timeoutMs?: number) => Promise<any>} request - send and await the reply (same type + "!")
 * @property {() => string} stderr - the tail of its stderr
 * @property {Promise<number | null>} exited
 * @property {() => void} kill
 */

/**
 * @param {string} worker - file name under src/workers
 * @param {object} config - handed to the worker as its first message ({ type: "config", ... })
 * @param {{ execArgv?: string[], env?: NodeJS.ProcessEnv }} [opts]
 * @returns {Child}
 */
export function startChild(worker, config, opts = {}) {
  const proc = fork(WORKERS + worker, [], {
    execArgv: opts.execArgv ?? [],
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  live.add(proc);
  proc.on("exit", () => live.delete(proc));
  let err = "";
  const keep = (d) => {
    err = (err + d).slice(-4000);
  };
  proc.stderr.on("data", keep);
  proc.stdout.on("data", keep);
  /** @type {object[]} */
  const inbox = [];
  /** @type {{ type: string, resolve: (m: any) => void }[]} */
  const waiting = [];
  proc.on("message", (m) => {
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0].resolve(m);
    else inbox.push(m);
  });
  const exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
  const next = (type, timeoutMs = 120_000) => {
    const i = inbox.findIndex((m) => m.type === type || m.type === "fatal");
    if (i >= 0) {
      const m = inbox.splice(i, 1)[0];
      return m.type === "fatal" ? Promise.reject(new Error(m.message)) : Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${worker}: no "${type}" within ${timeoutMs} ms; stderr: ${err.slice(-600)}`)),
        timeoutMs,
      );
      const settle = (fn) => (m) => {
        clearTimeout(timer);
        fn(m);
      };
      const w = { type, resolve: settle(resolve) };
      const f = {
        type: "fatal",
        resolve: settle((m) => {
          const j = waiting.indexOf(w);
          if (j >= 0) waiting.splice(j, 1);
          reject(new Error(m.message));
        }),
      };
      waiting.push(w, f);
      exited.then((code) => {
        for (const x of [w, f]) {
          const j = waiting.indexOf(x);
          if (j >= 0) waiting.splice(j, 1);
        }
        settle(reject)(new Error(`${worker} exited (${code}) before "${type}"; output: ${err.slice(-600)}`));
      });
    });
  };
  const send = (msg) => {
    if (proc.connected) proc.send(msg);
  };
  send({ type: "config", ...config });
  return {
    send,
    next,
    request: (msg, timeoutMs) => {
      send(msg);
      return next(`${/** @type {any} */ (msg).type}!`, timeoutMs);
    },
    stderr: () => err,
    exited,
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    },
  };
}

/**
 * Worker side: the config message, and a reply helper.
 * @returns {Promise<any>}
 */
export function workerConfig() {
  return new Promise((resolve) => {
    process.once("message", (m) => resolve(m));
  });
}

/** Worker side: report a fatal error to the parent and exit. */
export function fatal(e) {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  if (process.send) process.send({ type: "fatal", message }, () => process.exit(1));
  else process.exit(1);
}
