#!/usr/bin/env node
// The watcher README's "What is guaranteed while a file is being saved", measured: saves written in
// two parts (open `w`, write part 1, pause, write part 2, close), with a schema that accepts anything,
// so nothing but the watcher and the loader keeps a part from being published. Counts the configs
// published that are not a whole save, and whether the last save is held at the end. Not a test.
//
//   pnpm build
//   node packages/watcher/scripts/save-in-parts.mjs [--saves 30] [--pause 20] [--cut line|mid] [--gap N]
//
// --cut line: part 1 ends at a line end (whole lines, valid YAML on its own); mid: inside a line.
// --gap: without it, each save is alone (the next starts once the watcher is quiet); with it, saves
// follow each other 0..N ms apart (a program saving without pause).
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { isDeepStrictEqual, parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    saves: { type: "string", default: "30" },
    pause: { type: "string", default: "20" },
    cut: { type: "string", default: "line" },
    gap: { type: "string" },
  },
});
const saves = Number(args.saves);
const pauseMs = Number(args.pause);
const gapMs = args.gap === undefined ? undefined : Number(args.gap);

const dist = (name) => new URL(`../../${name}/dist/index.js`, import.meta.url).href;
const { silentLogger } = await import(dist("core"));
const { createEventManager } = await import(dist("events"));
const { createConfigManager, parseConfig } = await import(dist("loader"));
const { autoReload } = await import(dist("watcher"));

// ~50 lines, 1.1 KiB (the shape of tests/reliability/save-race.ts); `end: true` is the last line.
const text = (counter) =>
  `name: save ${counter}\ncounter: ${counter}\nllms:\n` +
  Array.from({ length: 15 }, (_, i) => `  llm_${i}:\n    model: model-${i}\n    temperature: ${i / 10}\n`).join("") +
  "end: true\n";
const whole = (config) => isDeepStrictEqual(config, parseConfig(text(config?.counter), { filename: "x.yml" }).data);
const cutOf = (full) => {
  const middle = Math.floor(full.length / 2);
  if (args.cut === "line") return full.indexOf("\n", middle) + 1;
  return full[middle - 1] === "\n" ? middle + 1 : middle;
};
const schema = { "~standard": { version: 1, vendor: "save-in-parts", validate: (value) => ({ value }) } };

const work = await fs.mkdtemp(path.join(os.tmpdir(), "aiq-save-in-parts-"));
const file = path.join(work, "config.yml");
await fs.writeFile(file, text(0));
const manager = await createConfigManager(file, { schema, events: createEventManager(), logger: silentLogger });
const handle = autoReload(manager, { logger: silentLogger });
await handle.ready();
const counts = { published: 0, part: 0, savesWithAPartPublished: new Set() };
manager.subscribe((config) => {
  counts.published++;
  if (whole(config)) return;
  counts.part++;
  counts.savesWithAPartPublished.add(config?.counter);
});
const isCurrent = (counter) => manager.currentConfig?.counter === counter && whole(manager.currentConfig);

for (let save = 1; save <= saves; save++) {
  const full = text(save);
  const cut = cutOf(full);
  const fd = await fs.open(file, "w");
  await fd.write(full.slice(0, cut));
  await delay(pauseMs);
  await fd.write(full.slice(cut));
  await fd.close();
  if (gapMs !== undefined) await delay(Math.floor(Math.random() * (gapMs + 1)));
  else {
    // Alone: wait until this save is current, then past the watcher's settle time and second look.
    for (let waited = 0; !isCurrent(save) && waited < 5000; waited += 10) await delay(10);
    await delay(300);
    await handle.done;
  }
}
for (let waited = 0; !isCurrent(saves) && waited < 5000; waited += 10) await delay(10);
await handle.done;
const held = isCurrent(saves);
await manager.close();
await fs.rm(work, { recursive: true, force: true });
const how = gapMs === undefined ? "each alone" : `0-${gapMs} ms apart`;
console.log(
  `${saves} saves (${how}), part 1 cut ${args.cut === "line" ? "at a line end" : "mid line"}, ${pauseMs} ms pause: ` +
    `${counts.published} configs published, ${counts.part} of them a part (of ${counts.savesWithAPartPublished.size} saves); ` +
    `last save held: ${held}`,
);
