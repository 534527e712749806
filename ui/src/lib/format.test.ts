import { describe, expect, it } from "vitest";
import vectors from "../../../src-tauri/crates/domain/tests/vectors/format.json";
import { formatDate, formatMoney } from "./format";

describe("format matches the Rust domain crate's golden vectors", () => {
  for (const v of vectors.money) {
    it(`money ${v.tiyn} tiyn → ${v.text}`, () => {
      expect(formatMoney(v.tiyn)).toBe(v.text);
    });
  }
  for (const v of vectors.date) {
    it(`date ${v.iso} → ${v.text}`, () => {
      expect(formatDate(v.iso)).toBe(v.text);
    });
  }
  it("refuses a fractional amount rather than rounding money", () => {
    expect(() => formatMoney(1.5)).toThrow(RangeError);
  });
});
