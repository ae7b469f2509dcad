import { Worker } from "node:worker_threads";
import { ConfigReloadError } from "@aiq/config-core";
import { parseConfigFile } from "./parse.js";
import {
  type CancelRequest,
  decodeError,
  type ParseReply,
  type ParseRequest,
  type ReadyMessage,
} from "./parse-protocol.js";
import type { ParsedFile } from "./parse-yaml.js";
import { decodePositions } from "./position-index.js";
import { abortedError } from "./read-file.js";

// Built, the worker is dist/parse-worker.js beside the bundle. Run from the sources (vitest), it is
// src/parse-worker.ts, which Node runs only with the tests' TypeScript hooks.
const FROM_SOURCES = import.meta.url.endsWith(".ts");
const WORKER_URL = new URL(FROM_SOURCES ? "./parse-worker.ts" : "./parse-worker.js", import.meta.url);
const HOOKS = new URL("../test/typescript-hooks.mjs", import.meta.url).href;

interface Job {
  file: string;
  request: ParseRequest;
  resolve(parsed: ParsedFile): void;
  reject(error: unknown): void;
}

/**
 * The one worker thread of the process that parses large files, shared by every file source. It
 * starts on the first parse, keeps the process alive only while a parse is in flight (unref'd when
 * idle), and stops once no source holds it and nothing is in flight.
 */
class ParseThread {
  #worker: Worker | undefined;
  readonly #jobs = new Map<number, Job>();
  #lastId = 0;
  #holders = 0;
  // Set when the worker could not start (its file missing from a bundle): parses run on the calling thread.
  #unavailable = false;
  #ready = false;

  /** Whether the worker is up (started and not stopped since). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /**
   * Holds the thread for a source until the returned release is called (by the source's close).
   * @returns an idempotent release, resolved once the thread stopped if it was the last holder
   */
  hold(): () => Promise<void> {
    this.#holders++;
    let held = true;
    return () => {
      if (!held) return Promise.resolve();
      held = false;
      this.#holders--;
      return this.#stopIfUnused();
    };
  }

  /**
   * Parses text as `parseConfigFile` does, in the worker; settles on a later turn of the event loop
   * than the one that received the answer, so the caller's next steps run in a slice of their own.
   */
  parse(text: string, options: ParseRequest["options"], signal: AbortSignal | undefined): Promise<ParsedFile> {
    const file = options.filename;
    if (signal?.aborted) return Promise.reject(abortedError(file, signal));
    if (this.#unavailable) return Promise.resolve(parseConfigFile(text, options));
    const worker = this.#start();
    const id = ++this.#lastId;
    // A copy of the environment: process.env itself is not plain data.
    const request: ParseRequest = { type: "parse", id, text, options: { ...options, env: { ...options.env } } };
    return new Promise<ParsedFile>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.#jobs.delete(id)) return;
        worker.postMessage({ type: "cancel", id } satisfies CancelRequest);
        reject(abortedError(file, signal as AbortSignal));
        this.#settled();
      };
      this.#jobs.set(id, {
        file,
        request,
        resolve: (parsed) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(parsed);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      worker.ref();
      worker.postMessage(request);
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_URL, {
      name: "aiq-config-parse",
      // None of the program's own options: the worker runs only this package's code, and a worker
      // refuses some of them (V8's --expose-gc, --input-type of `node -e`).
      execArgv: FROM_SOURCES ? ["--import", HOOKS] : [],
    });
    worker.unref();
    worker.on("message", (reply: ParseReply | ReadyMessage) => {
      if ("ready" in reply) this.#ready = true;
      else this.#answer(reply);
    });
    worker.on("error", (error) => this.#failAll(worker, error));
    worker.on("exit", (code) => this.#failAll(worker, new Error(`the parse worker exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #answer(reply: ParseReply): void {
    const job = this.#jobs.get(reply.id);
    if (!job) return;
    this.#jobs.delete(reply.id);
    const settle = reply.ok
      ? () =>
          job.resolve({
            data: reply.data,
            warnings: reply.warnings,
            locate: decodePositions(reply.positions, job.file),
            positions: () => reply.positions,
          })
      : () => job.reject(decodeError(reply.error));
    setImmediate(settle);
    this.#settled();
  }

  #failAll(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const jobs = [...this.#jobs.values()];
    this.#jobs.clear();
    if (!this.#ready) {
      // It never started: the same parse on this thread, now and from now on.
      this.#unavailable = true;
      for (const job of jobs) {
        try {
          job.resolve(parseConfigFile(job.request.text, job.request.options));
        } catch (thrown) {
          job.reject(thrown);
        }
      }
      return;
    }
    this.#ready = false;
    for (const job of jobs)
      job.reject(
        new ConfigReloadError("READ_FAILED", `Parsing ${job.file} in a worker thread failed: ${error.message}`, {
          sourceId: job.file,
          cause: error,
        }),
      );
  }

  #settled(): void {
    if (this.#jobs.size > 0) return;
    this.#worker?.unref();
    void this.#stopIfUnused();
  }

  #stopIfUnused(): Promise<void> {
    const worker = this.#worker;
    if (!worker || this.#holders > 0 || this.#jobs.size > 0) return Promise.resolve();
    this.#worker = undefined;
    this.#ready = false;
    return worker.terminate().then(() => undefined);
  }
}

/** The process's parse thread. */
export const parseThread = new ParseThread();
