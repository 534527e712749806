import { describe, expect, it } from "vitest";
import { deserialise, serialise } from "./openForm.svelte";

describe("open form drafts", () => {
  it("round-trip through what the vault keeps", () => {
    const f = { kind: "client" as const, route: { kind: "client-new" as const, iin: "061211600012" }, data: { surname: "Сейтқали" } };
    const s = serialise(f);
    expect(deserialise(s.kind, s.data)).toEqual(f);
  });
  it("refuse what is not a draft of a known form", () => {
    expect(deserialise("consent", "{}")).toBeNull();
    expect(deserialise("client", "not json")).toBeNull();
    expect(deserialise("client", "{\"data\":1}")).toBeNull();
  });
});
