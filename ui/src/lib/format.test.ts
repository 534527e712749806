import { describe, expect, it } from "vitest";
import vectors from "../../../src-tauri/crates/domain/tests/vectors/format.json";
import { formatDate, formatMoney, formatTenge } from "./format";

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
  it("names whole tenge without tiyn in messages, and keeps tiyn when there are some", () => {
    expect(formatTenge(5_000_000)).toBe("50 000 ₸");
    expect(formatTenge(300_000_000)).toBe("3 000 000 ₸");
    expect(formatTenge(4_999_999)).toBe("49 999,99 ₸");
    expect(formatTenge(0)).toBe("0 ₸");
  });
  it("refuses a fractional amount rather than rounding money", () => {
    expect(() => formatMoney(1.5)).toThrow(RangeError);
  });
});
