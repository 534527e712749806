// Client-side checks that mirror the Rust rules, so officers see mistakes while typing. Rust checks
// again on every command; these only decide what to show early.
import type { MessageKey } from "./i18n/ru";

export const MIN_PASSPHRASE = 10;

/** Officer's display name: 1..100 letters, spaces, dots, hyphens, apostrophes (after trimming). */
export function officerNameError(name: string, submitted: boolean): MessageKey | null {
  const clean = name.trim().split(/\s+/).join(" ");
  if (clean === "") return submitted ? "field.required" : null;
  if ([...clean].length > 100 || !/^[\p{L} .'-]+$/u.test(clean)) return "field.name_invalid";
  return null;
}

export function passphraseError(p: string, submitted: boolean): MessageKey | null {
  if (p === "") return submitted ? "field.required" : null;
  if ([...p].length < MIN_PASSPHRASE) return "field.passphrase_short";
  return null;
}

export function repeatError(p: string, repeat: string, submitted: boolean): MessageKey | null {
  if (repeat === "") return submitted ? "field.required" : null;
  if (p !== repeat && (submitted || repeat.length >= p.length)) return "field.passphrase_mismatch";
  return null;
}
