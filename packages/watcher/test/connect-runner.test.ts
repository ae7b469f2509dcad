import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createConfigManager } from "@aiq/config-loader";
import { createConfigFixture } from "@aiq/config-testing";
import { connectRunner, lineReader } from "@aiq/config-watcher";
import { describe, expect, it } from "vitest";

const config = (temperature: number): string => `llms:\n  main_llm:\n    _type: nim\n    temperature: ${temperature}\n`;

/** A stand-in for `aiq-config run`'s end of the socket: records what the child sends. */
async function fakeRunner(): Promise<{
  socketPath: string;
  messages: unknown[];
  next(): Promise<Record<string, unknown>>;
  send(message: unknown): void;
  close(): Promise<void>;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aiq-runner-test-"));
  const socketPath = path.join(dir, "runner.sock");
  const messages: unknown[] = [];
  const waiters: (() => void)[] = [];
  let peer: net.Socket | undefined;
  let closed: () => void = () => undefined;
  const peerClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const server = net.createServer((socket) => {
    peer = socket;
    socket.setEncoding("utf8");
    socket.on(
      "data",
      lineReader((message) => {
        messages.push(message);
        waiters.shift()?.();
      }),
    );
    socket.on("close", () => closed());
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  let read = 0;
  return {
    socketPath,
    messages,
    async next() {
      if (messages.length <= read) await new Promise<void>((resolve) => waiters.push(resolve));
      return messages[read++] as Record<string, unknown>;
    },
    send(message) {
      peer?.write(`${JSON.stringify(message)}\n`);
    },
    async close() {
      await peerClosed;
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("connectRunner", () => {
  it("returns undefined outside aiq-config run", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": config(0) } });
    await using manager = await createConfigManager(fixture.path("config.yml"), { env: {} });
    expect(connectRunner(manager, { env: {} })).toBeUndefined();
  });

  it("says hello, reloads through the manager on each reload, answers applied or refused, and closes with the manager", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": config(0) } });
    const runner = await fakeRunner();
    const manager = await createConfigManager(fixture.path("config.yml"), { env: {} });
    const connection = connectRunner(manager, { env: { AIQ_CONFIG_RUNNER: runner.socketPath } });
    await connection?.ready;
    expect(await runner.next()).toEqual({ type: "hello", pid: process.pid, version: 1, sourceId: manager.source.id });
    expect(manager.status.watch).toEqual({ mode: "push", degraded: false, connected: true });

    await fixture.save("config.yml", config(0.5));
    runner.send({ type: "reload", id: 1 });
    expect(await runner.next()).toEqual({ type: "applied", id: 1, version: 2 });
    expect(manager.currentConfig.llms?.main_llm?.temperature).toBe(0.5);

    await fixture.save("config.yml", config(-1));
    runner.send({ type: "reload", id: 2 });
    const refused = await runner.next();
    expect(refused).toMatchObject({ type: "refused", id: 2, version: 2, error: { code: "INVALID_CONFIG" } });
    expect((refused.error as { issues: unknown[] }).issues[0]).toMatchObject({
      path: "llms.main_llm.temperature",
      line: 4,
    });

    await manager.close();
    await runner.close();
  });

  it("ready rejects when no runner listens there", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": config(0) } });
    await using manager = await createConfigManager(fixture.path("config.yml"), { env: {} });
    const connection = connectRunner(manager, { env: { AIQ_CONFIG_RUNNER: path.join(fixture.dir, "nobody.sock") } });
    await expect(connection?.ready).rejects.toThrow(/cannot reach aiq-config run/);
    await connection?.close();
  });
});
