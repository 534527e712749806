import { describe, expect, it } from "vitest";
import { maskDate, maskIin, maskMoney, maskPhone } from "./masks";

describe("input masks", () => {
  it("IIN: digits only, at most 12", () => {
    expect(maskIin("0612 1160 0012 9")).toBe("061211600012");
    expect(maskIin("abc")).toBe("");
  });
  it("phone: +7 7XX XXX XX XX, 8 read as +7", () => {
    expect(maskPhone("87012345678")).toBe("+7 701 234 56 78");
    expect(maskPhone("+7 (701) 234-56-78")).toBe("+7 701 234 56 78");
    expect(maskPhone("8701")).toBe("+7 701");
    expect(maskPhone("+7701234567899")).toBe("+7 701 234 56 78");
    expect(maskPhone("")).toBe("");
  });
  it("dates: dots appear as digits are typed", () => {
    expect(maskDate("1112")).toBe("11.12");
    expect(maskDate("11122006")).toBe("11.12.2006");
    expect(maskDate("11.12.20061")).toBe("11.12.2006");
  });
  it("money: groups of three, decimal comma, at most two decimals", () => {
    expect(maskMoney("500000")).toBe("500 000");
    expect(maskMoney("1234567.891")).toBe("1 234 567,89");
    expect(maskMoney("0050")).toBe("50");
    expect(maskMoney("12 000,5")).toBe("12 000,5");
  });
});
