import { describe, expect, it } from "vitest";
import { officerNameError, passphraseError, repeatError } from "./validate";

describe("officer name", () => {
  it("accepts Cyrillic with Kazakh letters and Latin", () => {
    expect(officerNameError("  Әлия   Қасымова ", true)).toBeNull();
    expect(officerNameError("Anna-Maria O'Neil", true)).toBeNull();
  });
  it("asks for a name only once the form was submitted", () => {
    expect(officerNameError("", false)).toBeNull();
    expect(officerNameError(" ", true)).toBe("field.required");
  });
  it("refuses digits, punctuation and over-long names while typing", () => {
    expect(officerNameError("Admin1", false)).toBe("field.name_invalid");
    expect(officerNameError("a;b", false)).toBe("field.name_invalid");
    expect(officerNameError("я".repeat(101), false)).toBe("field.name_invalid");
  });
});

describe("passphrase", () => {
  it("needs 10 characters, counted as characters not bytes", () => {
    expect(passphraseError("короткий", false)).toBe("field.passphrase_short");
    expect(passphraseError("әәәәәәәәәә", false)).toBeNull();
  });
  it("repeat must match", () => {
    expect(repeatError("correct horse", "correct hors", false)).toBeNull();
    expect(repeatError("correct horse", "correct horsf", false)).toBe("field.passphrase_mismatch");
    expect(repeatError("correct horse", "", true)).toBe("field.required");
  });
});
