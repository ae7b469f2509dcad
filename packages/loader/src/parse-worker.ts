// The entry of the worker thread that parses large config files (see parse-thread.ts): it runs the
// same parseConfigFile as the calling thread and answers with the data, the warnings and the
// positions as flat data.
import { parentPort } from "node:worker_threads";
import { parseConfigFile } from "./parse.js";
import {
  type CancelRequest,
  encodeError,
  type ParseReply,
  type ParseRequest,
  type ReadyMessage,
} from "./parse-protocol.js";

const port = parentPort;
if (port === null) throw new Error("parse-worker.js runs as a worker thread only");

port.postMessage({ ready: true } satisfies ReadyMessage);

const queue: ParseRequest[] = [];
let scheduled = false;

port.on("message", (message: ParseRequest | CancelRequest) => {
  if (message.type === "cancel") {
    const at = queue.findIndex((request) => request.id === message.id);
    if (at >= 0) queue.splice(at, 1);
    return;
  }
  queue.push(message);
  // One parse per turn: the messages that arrived meanwhile (cancels) are read before the next starts.
  if (!scheduled) {
    scheduled = true;
    setImmediate(next);
  }
});

function next(): void {
  scheduled = false;
  const request = queue.shift();
  if (request === undefined) return;
  reply(parse(request));
  if (queue.length > 0) {
    scheduled = true;
    setImmediate(next);
  }
}

function parse(request: ParseRequest): ParseReply {
  try {
    const parsed = parseConfigFile(request.text, request.options);
    return { id: request.id, ok: true, data: parsed.data, warnings: parsed.warnings, positions: parsed.positions() };
  } catch (error) {
    return { id: request.id, ok: false, error: encodeError(error) };
  }
}

function reply(answer: ParseReply): void {
  const transfer =
    answer.ok && answer.positions ? [answer.positions.entries.buffer, answer.positions.collections.buffer] : [];
  try {
    port?.postMessage(answer, transfer);
  } catch (error) {
    // Something that cannot be cloned (a cause, an odd thrown value): the error goes without it.
    if (answer.ok) throw error;
    const encoded = answer.error;
    const plain =
      encoded.kind === "config"
        ? { ...encoded, cause: undefined }
        : {
            kind: "other" as const,
            error: new Error(String((encoded.error as Error | undefined)?.message ?? encoded.error)),
          };
    port?.postMessage({ ...answer, error: plain });
  }
}
