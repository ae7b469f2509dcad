// Goals and the Markdown table printed after a run (and pasted into bench/README.md).
import { LABELS } from "./contenders.mjs";

const f = (x, d = 1) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(d) : "—");
const err = (r) =>
  r?.missing ? `missing (${r.missing})` : r?.error ? `error: ${String(r.error).slice(0, 120)}` : null;

/**
 * @param {any} res - the run's results
 * @returns {{ id: string, goal: string, measured: string, met: boolean | null }[]}
 */
export function evaluateGoals(res) {
  const g = [];
  const lat = res.latency ?? {};
  const a = lat.aiq,
    fl = lat.floor,
    c = lat.c12;
  const ok = (x) => x && !err(x) && Number.isFinite(x.p50);
  const add = (id, goal, measured, met) => g.push({ id, goal, measured, met: res.meta.smoke ? null : met });
  if (lat && Object.keys(lat).length) {
    add(
      "latency-p50-floor",
      "latency p50 within 15 ms of the floor's p50",
      ok(a) && ok(fl) ? `${f(a.p50)} vs ${f(fl.p50)} ms (+${f(a.p50 - fl.p50)})` : (err(a) ?? err(fl) ?? "—"),
      ok(a) && ok(fl) ? a.p50 - fl.p50 <= 15 : false,
    );
    add(
      "latency-p50-c12",
      "latency p50 >= 4x lower than c12's p50",
      ok(a) && ok(c) ? `c12 ${f(c.p50)} / aiq ${f(a.p50)} = ${f(c.p50 / a.p50, 2)}x` : (err(a) ?? err(c) ?? "—"),
      ok(a) && ok(c) ? c.p50 / a.p50 >= 4 : false,
    );
    add(
      "latency-p99-floor",
      "latency p99 within 40 ms of the floor's p99",
      ok(a) && ok(fl) ? `${f(a.p99)} vs ${f(fl.p99)} ms (+${f(a.p99 - fl.p99)})` : (err(a) ?? err(fl) ?? "—"),
      ok(a) && ok(fl) ? a.p99 - fl.p99 <= 40 && a.missed === 0 : false,
    );
  }
  const b = res.bursts?.aiq;
  if (res.bursts)
    add(
      "bursts-lost-final",
      `0 lost final saves in ${res.params.bursts.trials} bursts`,
      b && !err(b) ? `${b.lostFinal}/${b.trials}` : (err(b) ?? "—"),
      b && !err(b) ? b.lostFinal === 0 : false,
    );
  if (res.bursts)
    add(
      "bursts-never-empty",
      `0 empty/partial configs held in ${res.params.bursts.trials} bursts, pass-through schema`,
      b && !err(b) ? `${b.emptyHeld} empty, ${b.partialHeld} partial of ${b.reloadsSeen} held` : (err(b) ?? "—"),
      b && !err(b) ? b.emptyHeld === 0 && b.partialHeld === 0 : false,
    );
  const t = res.truncate?.aiq;
  if (res.truncate)
    add(
      "truncate-never-partial",
      "0 empty/partial configs ever current (truncate-then-write)",
      t && !err(t) ? `${t.trialsWithEmptyOrPartial}/${t.trials} trials` : (err(t) ?? "—"),
      t && !err(t) ? t.trialsWithEmptyOrPartial === 0 && t.notConverged === 0 : false,
    );
  const p = res.pipeline;
  if (p)
    add(
      "large-reload",
      "large reload <= 1.3x yaml.parse",
      p.aiqReloadMs !== undefined
        ? `${f(p.aiqReloadMs)} / ${f(p.yamlParseMs)} ms = ${f(p.ratio, 2)}x`
        : (err(p) ?? p.aiqError ?? "—"),
      p.ratio !== undefined ? p.ratio <= 1.3 : false,
    );
  const m = res.memory;
  if (m)
    add(
      "snapshot-memory",
      `${m.reloads ?? 100} snapshots <= 1.5x one config's heap`,
      m.ratio !== undefined
        ? `${f(m.managerAfterReloadsMB)} / ${f(m.oneCopyMB)} MB = ${f(m.ratio, 2)}x`
        : (err(m) ?? "—"),
      m.ratio !== undefined ? m.ratio <= 1.5 : false,
    );
  const cl = res.cli;
  if (cl)
    add(
      "cli-cold-start",
      "CLI cold start <= 2.5x `node -e 0`",
      cl.ratio !== undefined
        ? `${f(cl.cliMs)} / ${f(cl.nodeMs)} ms = ${f(cl.ratio, 2)}x${cl.exitCode ? ` (exit ${cl.exitCode})` : ""}`
        : (err(cl) ?? "—"),
      cl.ratio !== undefined ? cl.ratio <= 2.5 && cl.exitCode === 0 : false,
    );
  const idle = res.idle;
  if (idle) {
    const ours = ["watcher", "autoReload"].map((k) => idle[k]).filter((x) => x && !err(x));
    const polls = ours.some((x) => x.callsTotal.watchFile > 0 || x.activeResources.StatWatcher);
    add(
      "idle-cpu",
      `idle CPU < 1% of a core (${res.params.idle.files} files), no polling`,
      ours.length
        ? ours.map((x) => `${x.mode} ${f(x.cpuPercentOfCore, 3)}%`).join(", ") + (polls ? ", POLLS" : ", no polling")
        : (err(idle.watcher) ?? "—"),
      ours.length === 2 ? ours.every((x) => x.cpuPercentOfCore < 1) && !polls : false,
    );
  }
  return g;
}

/** @param {any} res @returns {string} Markdown */
export function renderTable(res) {
  const out = [];
  const m = res.meta;
  out.push(
    `Run ${m.date} — node ${m.node}, ${m.cpus} CPUs, load avg ${m.loadavg.join(" ")} — ${m.smoke ? "SMOKE (few iterations, no goals)" : "full run"}, ${m.seconds} s`,
  );
  out.push("");
  if (res.latency) {
    out.push(
      `**1. save → applied latency** (${res.params.latency.saves} in-place saves ${res.params.latency.gapMs} ms apart, ~40-line config; ms from just before the write)`,
    );
    out.push("", "| contender | p50 | p90 | p99 | max | missed | empty held |", "|---|---:|---:|---:|---:|---:|---:|");
    for (const [k, v] of Object.entries(res.latency))
      out.push(
        err(v)
          ? `| ${LABELS[k]} | ${err(v)} ||||||`
          : `| ${LABELS[k]} | ${f(v.p50)} | ${f(v.p90)} | ${f(v.p99)} | ${f(v.max)} | ${v.missed}/${v.saves} | ${v.emptySeen} |`,
      );
    const bd = res.latency.aiq?.breakdown;
    if (bd)
      out.push(
        "",
        `Where ours goes (p50): ${Object.entries(bd)
          .map(([k, v]) => `${k} ${f(v)} ms`)
          .join(
            ", ",
          )}.${res.meta.aiqDebounceMs !== "default" ? ` (autoReload debounceMs: ${res.meta.aiqDebounceMs})` : ""}`,
      );
    out.push("");
  }
  if (res.bursts || res.truncate) {
    const bt = res.params.bursts.trials,
      tt = res.params.truncate.trials;
    out.push(`**2. bursts and truncate-then-write** (all four at once, each in its own process and directory)`);
    out.push(
      "",
      "Bursts: ours with a schema that accepts anything (the others have none). Empty/partial held: values held / trials with one.",
    );
    out.push(
      "",
      `| contender | bursts: final save lost | bursts: empty/partial held | truncate: empty/partial ever current | truncate: final not reached |`,
      "|---|---:|---:|---:|---:|",
    );
    for (const k of Object.keys(LABELS)) {
      const b = res.bursts?.[k],
        t = res.truncate?.[k];
      if (!b && !t) continue;
      const bs =
        err(b) ??
        (b
          ? `${b.lostFinal}/${bt} | ${b.emptyHeld}+${b.partialHeld} / ${b.trialsWithEmptyOrPartial} of ${bt}`
          : "— | —");
      const ts = err(t) ?? (t ? `${t.trialsWithEmptyOrPartial}/${tt} | ${t.notConverged}/${tt}` : "— | —");
      out.push(`| ${LABELS[k]} | ${bs} | ${ts} |`);
    }
    out.push("");
  }
  if (res.pipeline) {
    const p = res.pipeline;
    out.push(
      `**3. pipeline on a large config** (${f(p.bytes / 1048576, 2)} MB, ${p.entries} llms+tools entries; median of ${p.runs})`,
    );
    out.push("", "| step | ms | × yaml.parse |", "|---|---:|---:|");
    if (err(p)) out.push(`| — | ${err(p)} | |`);
    else {
      out.push(`| yaml.parse (baseline) | ${f(p.yamlParseMs)} | 1.00 |`);
      out.push(`| js-yaml load, CORE_SCHEMA | ${f(p.jsYamlLoadMs)} | ${f(p.jsYamlLoadMs / p.yamlParseMs, 2)} |`);
      out.push(
        p.aiqReloadMs !== undefined
          ? `| aiq manager.reloadConfig() | ${f(p.aiqReloadMs)} | ${f(p.ratio, 2)} |`
          : `| aiq manager.reloadConfig() | ${p.aiqError ?? "missing"} | |`,
      );
      for (const [k, v] of Object.entries(p.stages ?? {}))
        if (typeof v === "number") out.push(`| ↳ ${k} (alone) | ${f(v)} | ${f(v / p.yamlParseMs, 2)} |`);
    }
    out.push("");
  }
  if (res.memory) {
    const x = res.memory;
    out.push(`**4. snapshot memory** (heap after gc)`);
    out.push("", "| what | MB | × one copy |", "|---|---:|---:|");
    if (err(x)) out.push(`| — | ${err(x)} | |`);
    else {
      out.push(`| one yaml.parse copy (baseline) | ${f(x.oneCopyMB)} | 1.00 |`);
      out.push(`| manager after create (1 snapshot) | ${f(x.managerAfterCreateMB)} | ${f(x.ratioAfterCreate, 2)} |`);
      out.push(
        `| manager after ${x.reloads} one-key reloads (${x.snapshots} snapshots) | ${f(x.managerAfterReloadsMB)} | ${f(x.ratio, 2)} |`,
      );
      const d = x.diagnosis ?? {};
      const one = x.oneCopyMB;
      if (d.sourceDocumentMB !== undefined)
        out.push(
          `| ↳ one SourceDocument (data + locate) | ${f(d.sourceDocumentMB)} | ${f(d.sourceDocumentMB / one, 2)} |`,
        );
      if (d.sourceDocumentDataOnlyMB !== undefined)
        out.push(`| ↳ its data alone | ${f(d.sourceDocumentDataOnlyMB)} | ${f(d.sourceDocumentDataOnlyMB / one, 2)} |`);
      if (d.snapshotConfigsOnlyMB !== undefined)
        out.push(
          `| ↳ the ${x.snapshots} snapshot configs alone | ${f(d.snapshotConfigsOnlyMB)} | ${f(d.snapshotConfigsOnlyRatio, 2)} |`,
        );
    }
    out.push("");
  }
  if (res.cli) {
    const c = res.cli;
    out.push(`**5. CLI cold start** (median of ${c.runs ?? "—"} runs each, interleaved)`);
    out.push("", "| command | ms | × node -e 0 |", "|---|---:|---:|");
    if (err(c)) out.push(`| — | ${err(c)} | |`);
    else {
      out.push(`| node -e 0 (baseline) | ${f(c.nodeMs)} | 1.00 |`);
      out.push(`| ${c.command} | ${f(c.cliMs)} | ${f(c.ratio, 2)} |`);
      if (c.note) out.push("", `(${c.note})`);
    }
    out.push("");
  }
  if (res.idle) {
    out.push(
      `**6. idle cost** (${res.params.idle.files} unchanged files in ${res.params.idle.dirs} dirs, CPU over ${res.params.idle.seconds} s)`,
    );
    out.push(
      "",
      "| watcher | % of one core | fs.watchFile (polling) calls | stat calls while idle | setup ms |",
      "|---|---:|---:|---:|---:|",
    );
    for (const [k, v] of Object.entries(res.idle))
      out.push(
        err(v)
          ? `| ${k} | ${err(v)} ||||`
          : `| ${k} | ${f(v.cpuPercentOfCore, 3)} | ${v.callsTotal.watchFile} | ${v.callsDuringIdle.stat} | ${v.setupMs} |`,
      );
    out.push("");
  }
  out.push("**Goals**", "", "| goal | measured | status |", "|---|---|---|");
  for (const g of res.goals)
    out.push(`| ${g.goal} | ${g.measured} | ${g.met === null ? "not checked (smoke)" : g.met ? "met" : "NOT MET"} |`);
  return out.join("\n");
}
