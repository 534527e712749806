import { describe, expect, it } from "vitest";
import bindings from "../bindings.ts?raw";
import { catalogs, languages } from "./index.svelte";

const codeLine = /export type ErrorCode = (.*);/.exec(bindings)?.[1] ?? "";
const rustCodes = [...codeLine.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);

describe("every language has every key", () => {
  const ruKeys = Object.keys(catalogs.ru.messages).sort();
  for (const l of languages) {
    it(`${l}: the same message keys as Russian, none empty`, () => {
      const keys = Object.keys(catalogs[l].messages).sort();
      expect(keys, `${l} must have exactly the Russian key set`).toEqual(ruKeys);
      for (const k of keys) {
        const text = (catalogs[l].messages as Record<string, string>)[k];
        expect(text?.trim(), `${l}: ${k} is empty`).toBeTruthy();
      }
    });
    it(`${l}: a translation for every error code Rust can send`, () => {
      expect(rustCodes.length, "bindings.ts must list the error codes").toBeGreaterThan(5);
      expect(Object.keys(catalogs[l].errors).sort()).toEqual([...rustCodes].sort());
    });
  }
  it("Kazakh texts are Kazakh, not copies of Russian", () => {
    const same = Object.keys(catalogs.ru.messages).filter(
      (k) => k !== "role.supervisor" && (catalogs.ru.messages as Record<string, string>)[k] === (catalogs.kk.messages as Record<string, string>)[k],
    );
    expect(same, "keys whose Kazakh text is the Russian text").toEqual([]);
  });
});
