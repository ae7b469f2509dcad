import { createConfigFixture } from "@aiq/config-testing";
import { describe, expect, it } from "vitest";
import { must } from "../../../tests/support/must.js";
import { CANARY, INVALID_CONFIG, validConfig } from "./helpers.js";
import { processState, type RunnerProcess, servicePids, signalsIn, skipReason, startRunner } from "./run-helpers.js";

// RELIABILITY.md section E, restart mode: the real `aiq-config run` and a real service process.
if (skipReason) console.warn(`runner tests skipped: ${skipReason}`);

async function stop(runner: RunnerProcess): Promise<number | null> {
  runner.child.kill("SIGTERM");
  return runner.exit;
}

describe.skipIf(skipReason !== "")("aiq-config run: restart mode", () => {
  it("41: a valid save starts a new service (new pid, new value) once the old group is gone", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"), { env: { SERVICE_GRANDCHILD: "1" } });
    try {
      let at = await runner.out.waitFor(/grandchild (\d+)/);
      const [first] = servicePids(runner.out.text);
      const grandchild = Number(must(/grandchild (\d+)/.exec(runner.out.text), "a grandchild pid")[1]);
      await runner.err.waitFor(/started \S*node/);
      for (const [i, temperature] of [0.5, 0.9].entries()) {
        await fixture.save("config.yml", validConfig(temperature), { as: i === 0 ? "atomic-rename" : "vim" });
        at = await runner.out.waitFor(`up temperature=${temperature}`, at);
      }
      const pids = servicePids(runner.out.text);
      expect(pids).toHaveLength(3);
      expect(new Set(pids).size).toBe(3);
      expect(pids[0]).toBe(first);
      // The whole first group (the service and its grandchild) was gone before the next start.
      expect(processState(must(first, "the first service's pid"))).not.toBe("live");
      expect(processState(grandchild)).not.toBe("live");
      expect(signalsIn(runner.out.text)).toEqual(["SIGTERM", "SIGTERM"]);
      expect(runner.err.text).toContain("llms.main_llm.temperature: 0 -> 0.5");
      expect(runner.err.text).toMatch(
        /\[aiq-config\] restarted in \d+ ms: pid \d+ stopped in \d+ ms; pid \d+ started \(version 3\)/,
      );
      expect(await stop(runner)).toBe(0);
      expect(runner.err.text).toMatch(
        /stopped \(exit 0\): 3 starts, 2 restarts, 0 hand-offs, 0 refused saves, 0 unexpected exits\n$/,
      );
      expect(`${runner.out.text}${runner.err.text}`).not.toContain(CANARY);
    } finally {
      runner.kill();
    }
  });

  it("42: invalid saves (syntax, schema, empty, cut mid line, deleted) never signal the service", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"));
    try {
      await runner.out.waitFor("up temperature=0");
      let at = await runner.err.waitFor(/started \S*node/);
      const invalid: [string, string | undefined, RegExp][] = [
        ["syntax", "llms:\n  main_llm: [\n", /config\.yml:\d+:\d+ .*/],
        ["schema", INVALID_CONFIG, /config\.yml:7:18 llms\.main_llm\.temperature: /],
        ["empty", "", /refused the save to \S*config\.yml: /],
        ["cut mid line", validConfig(0.4).slice(0, validConfig(0.4).indexOf("max_tokens") + 5), /config\.yml:\d+:\d+ /],
        ["deleted", undefined, /config\.yml is missing; the service keeps running on version 1 \(pid \d+\)/],
      ];
      for (let round = 0; round < 2; round++) {
        for (const [, content, printed] of invalid) {
          if (content === undefined) await fixture.remove("config.yml");
          else await fixture.save("config.yml", content);
          at = await runner.err.waitFor(printed, at);
          at = await runner.err.waitFor(/the service keeps running on version 1 \(pid \d+\)/, at - 200);
          // Back to the valid content, identical to the running one: no restart either.
          await fixture.save("config.yml", validConfig(0));
        }
      }
      await fixture.save("config.yml", validConfig(0.3));
      await runner.out.waitFor("up temperature=0.3");
      // One signal: the restart for the valid save at the end; none for the 10 invalid ones.
      expect(signalsIn(runner.out.text)).toEqual(["SIGTERM"]);
      expect(servicePids(runner.out.text)).toHaveLength(2);
      expect(await stop(runner)).toBe(0);
      expect(runner.err.text).not.toContain(CANARY);
    } finally {
      runner.kill();
    }
  });

  it("43: a burst of 5 saves 5 ms apart ends on the last save, with at most 2 restarts", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"));
    try {
      let at = await runner.out.waitFor("up temperature=0 ");
      for (let burst = 1; burst <= 3; burst++) {
        const before = servicePids(runner.out.text).length;
        for (let i = 1; i <= 5; i++) {
          await fixture.save("config.yml", validConfig(burst + i / 10));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const last = burst + 0.5;
        at = await runner.out.waitFor(`up temperature=${last} `, at);
        // Settled: the runner's manager holds the last save and nothing else is pending.
        await runner.err.waitFor(`-> ${last}`, 0);
        const starts = servicePids(runner.out.text).length - before;
        expect(starts).toBeGreaterThanOrEqual(1);
        expect(starts).toBeLessThanOrEqual(2);
        expect(
          runner.out.text
            .trimEnd()
            .split("\n")
            .filter((l) => l.includes(" up "))
            .at(-1),
        ).toContain(`temperature=${last} `);
      }
      expect(await stop(runner)).toBe(0);
    } finally {
      runner.kill();
    }
  });

  it("44: a save during a slow stop makes exactly one more start, with the newest content; an invalid one, none", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"), { env: { SERVICE_STOP_MS: "1000" } });
    try {
      await runner.out.waitFor("up temperature=0 ");
      await fixture.save("config.yml", validConfig(0.1));
      let at = await runner.out.waitFor("signal SIGTERM");
      await fixture.save("config.yml", validConfig(0.2));
      await runner.err.waitFor("-> 0.2");
      await fixture.save("config.yml", validConfig(0.3));
      at = await runner.out.waitFor("up temperature=0.3 ", at);
      await runner.err.waitFor("-> 0.3");
      expect(servicePids(runner.out.text)).toHaveLength(2);
      expect(runner.out.text).not.toContain("up temperature=0.1");
      expect(runner.out.text).not.toContain("up temperature=0.2");
      // The save that stops the service is validated during the stop; an invalid one after it starts nothing.
      await fixture.save("config.yml", validConfig(0.4));
      at = await runner.out.waitFor("signal SIGTERM", at);
      await fixture.save("config.yml", INVALID_CONFIG);
      await runner.err.waitFor("the service is not started until a save is valid");
      expect(servicePids(runner.out.text)).toHaveLength(2);
      await fixture.save("config.yml", validConfig(0.5));
      await runner.out.waitFor("up temperature=0.5 ", at);
      expect(runner.out.text).not.toContain("up temperature=0.4");
      expect(await stop(runner)).toBe(0);
      expect(servicePids(runner.out.text)).toHaveLength(3);
    } finally {
      runner.kill();
    }
  });

  it("45: a service that ignores SIGTERM is SIGKILLed with its group at the grace period", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"), {
      runArgs: ["--grace", "400"],
      env: { SERVICE_IGNORE_TERM: "1", SERVICE_GRANDCHILD: "1" },
    });
    try {
      await runner.out.waitFor(/grandchild \d+/);
      const grandchild = Number(must(/grandchild (\d+)/.exec(runner.out.text), "a grandchild pid")[1]);
      await fixture.save("config.yml", validConfig(0.6));
      await runner.out.waitFor("up temperature=0.6 ");
      await runner.err.waitFor("SIGKILLed after the grace period");
      const killedAfter = Number(/SIGKILLed after the grace period, (\d+) ms/.exec(runner.err.text)?.[1]);
      expect(killedAfter).toBeGreaterThanOrEqual(400);
      expect(killedAfter).toBeLessThanOrEqual(500);
      expect(processState(grandchild)).not.toBe("live");
      // At exit, too: SIGTERM is ignored, so the runner kills the group after the grace period (exit 130).
      expect(await stop(runner)).toBe(130);
    } finally {
      runner.kill();
    }
  });

  it("47: restarts of a service on a fixed port never meet EADDRINUSE", async () => {
    const { createServer } = await import("node:net");
    const probe = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => probe.once("listening", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"), { env: { SERVICE_PORT: String(port) } });
    try {
      let at = await runner.out.waitFor("listening");
      for (let i = 1; i <= 5; i++) {
        await fixture.save("config.yml", validConfig(i));
        at = await runner.out.waitFor(`up temperature=${i} `, at);
        at = await runner.out.waitFor("listening", at);
      }
      expect(runner.out.text).not.toContain("EADDRINUSE");
      expect(await stop(runner)).toBe(0);
    } finally {
      runner.kill();
    }
  });

  it("48: a crash is reported, not restarted; 3 quick exits are a crash loop; the next valid save starts it", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": validConfig(0) } });
    const runner = startRunner(fixture.path("config.yml"), { env: { SERVICE_CRASH: "1" } });
    try {
      let at = await runner.err.waitFor(
        /pid \d+ exited with code 3 after \d+ ms; it starts again on the next valid save/,
      );
      for (let i = 1; i <= 2; i++) {
        await fixture.save("config.yml", validConfig(i));
        at = await runner.err.waitFor(/exited with code 3/, at);
      }
      at = await runner.err.waitFor("crash loop: the service exited within 1 s of starting 3 times in a row", at);
      expect(servicePids(runner.out.text)).toHaveLength(3);
      // An invalid save does not start it; the next valid one does.
      await fixture.save("config.yml", INVALID_CONFIG);
      at = await runner.err.waitFor("the service is not running; waiting for a valid save", at);
      await fixture.save("config.yml", validConfig(7));
      await runner.out.waitFor("up temperature=7 ");
      await runner.err.waitFor(/(exited with code 3[\s\S]*){4}/);
      expect(servicePids(runner.out.text)).toHaveLength(4);
      expect(await stop(runner)).toBe(0);
      expect(runner.err.text).toMatch(/4 starts, 0 restarts, 0 hand-offs, 1 refused save, 4 unexpected exits\n$/);
    } finally {
      runner.kill();
    }
  });

  it("--exit-with-child exits with the service's code; an invalid config at start exits 1 without starting it", async () => {
    await using fixture = await createConfigFixture({
      files: { "config.yml": validConfig(0), "bad.yml": INVALID_CONFIG },
    });
    const crashing = startRunner(fixture.path("config.yml"), {
      runArgs: ["--exit-with-child"],
      env: { SERVICE_CRASH: "1" },
    });
    expect(await crashing.exit).toBe(3);
    const invalid = startRunner(fixture.path("bad.yml"), { runArgs: ["--exit-with-child"] });
    expect(await invalid.exit).toBe(1);
    expect(invalid.err.text).toContain("bad.yml:7:18 llms.main_llm.temperature:");
    expect(invalid.out.text).toBe("");
  });

  it("an invalid config at start: the service starts on the first valid save", async () => {
    await using fixture = await createConfigFixture({ files: { "config.yml": INVALID_CONFIG } });
    const runner = startRunner(fixture.path("config.yml"), { runArgs: ["-o", "llms.fast_llm.temperature=0.25"] });
    try {
      await runner.err.waitFor("the service is not started until a save is valid");
      await fixture.save("config.yml", validConfig(0.5));
      await runner.out.waitFor("up temperature=0.5 ");
      expect(runner.err.text).toContain("overrides: llms.fast_llm.temperature=0.25");
      expect(await stop(runner)).toBe(0);
    } finally {
      runner.kill();
    }
  });
});
