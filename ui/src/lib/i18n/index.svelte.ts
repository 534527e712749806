// The officer's interface language: Russian by default, Kazakh or English by choice, remembered
// on this desk. `t(key)` and `errorText(code)` re-render wherever they are used when it changes.
import type { ErrorCode, Limit } from "../bindings";
import { formatTenge } from "../format";
import { en, enErrors } from "./en";
import { kk, kkErrors } from "./kk";
import { ru, ruErrors, type MessageKey, type Messages } from "./ru";

export const languages = ["ru", "kk", "en"] as const;
export type Lang = (typeof languages)[number];

export const catalogs: Record<Lang, { messages: Messages; errors: Record<ErrorCode, string>; name: string }> = {
  ru: { messages: ru, errors: ruErrors, name: "Русский" },
  kk: { messages: kk, errors: kkErrors, name: "Қазақша" },
  en: { messages: en, errors: enErrors, name: "English" },
};

const STORAGE_KEY = "branchdesk.lang";

function initial(): Lang {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  return (languages as readonly string[]).includes(saved ?? "") ? (saved as Lang) : "ru";
}

let current = $state<Lang>(initial());

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  globalThis.localStorage?.setItem(STORAGE_KEY, l);
  if (globalThis.document) document.documentElement.lang = l;
}

export function t(key: MessageKey): string {
  return catalogs[current].messages[key];
}

export function errorText(code: ErrorCode): string {
  return catalogs[current].errors[code];
}

/** `{name}` placeholders of a message filled with values. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** What a value must be, as Rust named it: its shape, the date it must follow, or its range. */
export function limitText(limit: Limit): string | null {
  switch (limit.kind) {
    case "shape":
      return t(`limit.shape.${limit.shape}`);
    case "after":
      return t(`limit.after.${limit.date}`);
    case "months":
      return limit.min === limit.max
        ? fill(t("limit.months_one"), { min: limit.min })
        : fill(t("limit.months_range"), { min: limit.min, max: limit.max });
    case "money": {
      const min = limit.min === null ? null : formatTenge(limit.min);
      const max = limit.max === null ? null : formatTenge(limit.max);
      if (min !== null && max !== null) return fill(t("limit.money_range"), { min, max });
      if (min !== null) return fill(t("limit.money_min"), { min });
      if (max !== null) return fill(t("limit.money_max"), { max });
      return null;
    }
  }
}

/** A field's problem: the limit it broke when Rust named one, else the code's own text. */
export function problemText(code: ErrorCode, limit?: Limit | null): string {
  return (limit ? limitText(limit) : null) ?? errorText(code);
}
