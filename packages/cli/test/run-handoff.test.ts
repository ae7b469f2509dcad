import { createConfigFixture } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { CANARY, validConfig } from "./helpers.js";
import {
  processState,
  type RunnerProcess,
  service,
  servicePids,
  signalsIn,
  skipReason,
  startRunner,
  zombieChildrenOf,
} from "./run-helpers.js";

// RELIABILITY.md section E, scenarios 46 and 49: hand-off through connectRunner, and no process left behind.
async function stop(runner: RunnerProcess): Promise<number | null> {
  runner.child.kill("SIGTERM");
  return runner.exit;
}

describe.skipIf(skipReason !== "")("aiq-config run: hand-off and process groups", () => {
  it("49: a connected service gets each valid save with the same pid, directly and through sh -c and npm exec", async () => {
    const wrappers: [string, string[]][] = [
      ["direct", [process.execPath, service]],
      ["sh -c", ["sh", "-c", `"${process.execPath}" "${service}"`]],
      ["npm exec", ["npm", "exec", "--offline", "--yes=false", "-c", `"${process.execPath}" "${service}"`]],
    ];
    for (const [, command] of wrappers) {
      await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
      const runner = startRunner(fixture.path("config.yml"), { command, env: { SERVICE_HANDOFF: "1" } });
      try {
        await runner.out.waitFor("up temperature=0 ", 0, 30_000);
        let at = await runner.err.waitFor(/pid \d+ connected/);
        for (const temperature of [0.2, 0.4]) {
          await fixture.save("config.yml", validConfig(temperature));
          await runner.out.waitFor(`applied temperature=${temperature}`);
          at = await runner.err.waitFor(/handed version \d+ to pid \d+: applied in \d+ ms, no restart/, at);
        }
        expect(servicePids(runner.out.text)).toHaveLength(1);
        expect(signalsIn(runner.out.text)).toEqual([]);
        expect(await stop(runner)).toBe(0);
        expect(runner.err.text).toMatch(/1 start, 0 restarts, 2 hand-offs/);
        expect(`${runner.out.text}${runner.err.text}`).not.toContain(CANARY);
      } finally {
        runner.kill();
      }
    }
  });

  it("49: the service's own stricter schema refuses a save: printed, and it keeps running", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"), {
      env: { SERVICE_HANDOFF: "1", SERVICE_MAX_TEMPERATURE: "1" },
    });
    try {
      await runner.err.waitFor(/pid \d+ connected/);
      await fixture.save("config.yml", validConfig(1.5));
      let at = await runner.err.waitFor(/refused by the service \(pid \d+\): 1 issue/);
      at = await runner.err.waitFor(/config\.yml:7:18 llms\.main_llm\.temperature: at most 1 in this service/, at);
      await runner.err.waitFor(/the service keeps running on version 1 \(pid \d+\)/, at);
      await fixture.save("config.yml", validConfig(0.5));
      await runner.out.waitFor("applied temperature=0.5");
      expect(servicePids(runner.out.text)).toHaveLength(1);
      expect(await stop(runner)).toBe(0);
    } finally {
      runner.kill();
    }
  });

  it("49: a connected service that does not answer within --handoff-timeout is restarted", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"), {
      runArgs: ["--handoff-timeout", "300"],
      env: { SERVICE_HANDOFF: "1", SERVICE_HANG: "1" },
    });
    try {
      await runner.err.waitFor(/pid \d+ connected/);
      await fixture.save("config.yml", validConfig(0.3));
      await runner.err.waitFor(/did not answer the hand-off within 300 ms; restarting/);
      await runner.err.waitFor(/restarted in \d+ ms/);
      await runner.err.waitFor(/pid \d+ connected[\s\S]*pid \d+ connected/);
      await runner.out.waitFor(/ up [\s\S]* up /);
      expect(servicePids(runner.out.text)).toHaveLength(2);
      expect(await stop(runner)).toBe(0);
    } finally {
      runner.kill();
    }
  });

  it("46: restarts of a service that starts a grandchild leave no live grandchild and no zombie of the runner", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"), { env: { SERVICE_GRANDCHILD: "1" } });
    const grandchildren = (): number[] => [...runner.out.text.matchAll(/grandchild (\d+)/g)].map((m) => Number(m[1]));
    try {
      let at = await runner.out.waitFor(/grandchild \d+/);
      for (let i = 1; i <= 5; i++) {
        await fixture.save("config.yml", validConfig(i));
        at = await runner.out.waitFor(`up temperature=${i} `, at);
        at = await runner.out.waitFor(/grandchild \d+/, at);
        // Every grandchild but the newest is gone (a zombie left to a non-reaping PID 1 is not alive).
        expect(
          grandchildren()
            .slice(0, -1)
            .filter((pid) => processState(pid) === "live"),
        ).toEqual([]);
        expect(zombieChildrenOf(must(runner.child.pid, "the runner's pid"))).toEqual([]);
      }
      expect(await stop(runner)).toBe(0);
      expect(grandchildren()).toHaveLength(6);
      expect(grandchildren().filter((pid) => processState(pid) === "live")).toEqual([]);
      expect(servicePids(runner.out.text).filter((pid) => processState(pid) === "live")).toEqual([]);
    } finally {
      runner.kill();
    }
  });
});
