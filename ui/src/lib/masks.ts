// Input masks for the forms: they shape what the officer types (IIN, phone, dates, money) without
// deciding validity; Rust checks every value again and reports the field's problem.

/** Digits only, at most 12: an IIN. */
export function maskIin(text: string): string {
  return text.replace(/\D/g, "").slice(0, 12);
}

/** `+7 7XX XXX XX XX` as the digits arrive; a leading 8 is read as the trunk prefix for +7. */
export function maskPhone(text: string): string {
  let d = text.replace(/\D/g, "");
  if (d === "") return text.trim().startsWith("+") ? "+" : "";
  if (d.startsWith("8")) d = "7" + d.slice(1);
  if (!d.startsWith("7")) d = "7" + d;
  d = d.slice(0, 11);
  const parts = [d.slice(1, 4), d.slice(4, 7), d.slice(7, 9), d.slice(9, 11)].filter((p) => p !== "");
  return ["+7", ...parts].join(" ");
}

/** `dd.mm.yyyy` as the digits arrive. */
export function maskDate(text: string): string {
  const d = text.replace(/\D/g, "").slice(0, 8);
  if (d.length <= 2) return d;
  if (d.length <= 4) return `${d.slice(0, 2)}.${d.slice(2)}`;
  return `${d.slice(0, 2)}.${d.slice(2, 4)}.${d.slice(4)}`;
}

/** Tenge with groups of three and an optional decimal comma: `1 234 567,89`. */
export function maskMoney(text: string): string {
  const cleaned = text.replace(/[^\d,.]/g, "").replace(".", ",");
  const [whole = "", ...rest] = cleaned.split(",");
  const digits = whole.replace(/^0+(?=\d)/, "");
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  if (rest.length === 0) return grouped;
  return `${grouped},${rest.join("").slice(0, 2)}`;
}
