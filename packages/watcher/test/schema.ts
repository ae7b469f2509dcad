import type { StandardSchemaV1 } from "@aiq/config-core";

/** The config the watcher tests write: `end: true` comes last, so a cut-off document never validates. */
export interface TestConfig {
  name: string;
  counter: number;
  llms: Record<string, { model: string; temperature: number }>;
  end: true;
}

type Issue = StandardSchemaV1.Issue;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A strict hand-written Standard Schema for {@link TestConfig} (the watcher package does not depend on valibot). */
export const testSchema: StandardSchemaV1<unknown, TestConfig> = {
  "~standard": {
    version: 1,
    vendor: "aiq-config-watcher-tests",
    validate(value) {
      const issues: Issue[] = [];
      if (!isObject(value)) return { issues: [{ message: "expected a mapping" }] };
      for (const key of Object.keys(value)) {
        if (!["name", "counter", "llms", "end"].includes(key))
          issues.push({ message: `unknown key ${key}`, path: [key] });
      }
      if (typeof value.name !== "string") issues.push({ message: "expected a string", path: ["name"] });
      if (!Number.isInteger(value.counter) || (value.counter as number) < 0) {
        issues.push({ message: "expected an integer >= 0", path: ["counter"] });
      }
      if (!isObject(value.llms)) issues.push({ message: "expected a mapping", path: ["llms"] });
      else {
        for (const [name, llm] of Object.entries(value.llms)) {
          if (!isObject(llm) || typeof llm.model !== "string")
            issues.push({ message: "expected { model }", path: ["llms", name] });
          else if (typeof llm.temperature !== "number" || llm.temperature < 0) {
            issues.push({ message: "expected a number >= 0", path: ["llms", name, "temperature"] });
          }
        }
      }
      if (value.end !== true) issues.push({ message: "expected true", path: ["end"] });
      return issues.length > 0 ? { issues } : { value: value as unknown as TestConfig };
    },
  },
};

/** A valid config whose `counter` and `name` tell versions apart. */
export function configData(counter: number, temperature = 0.5): TestConfig {
  const llms: TestConfig["llms"] = { main_llm: { model: "m", temperature } };
  for (let i = 0; i < PADDING_LLMS; i++)
    llms[`llm_${i}`] = { model: `padding-model-${i}`, temperature: Number(`0.${i}`) };
  return { name: `v${counter}`, counter, llms, end: true };
}

const PADDING_LLMS = 12;

/**
 * The YAML text of {@link configData}: long enough (about 1 KiB) that a write cut in half is a
 * real partial document, and it only validates whole (`end: true` is the last line).
 */
export function configText(counter: number, temperature = 0.5): string {
  const padding = Array.from(
    { length: PADDING_LLMS },
    (_, i) => `  llm_${i}:\n    model: padding-model-${i}\n    temperature: 0.${i}\n`,
  ).join("");
  return `name: v${counter}\ncounter: ${counter}\nllms:\n  main_llm:\n    model: m\n    temperature: ${temperature}\n${padding}end: true\n`;
}
