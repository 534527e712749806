// The officer's interface language: Russian by default, Kazakh or English by choice, remembered
// on this desk. `t(key)` and `errorText(code)` re-render wherever they are used when it changes.
import type { ErrorCode } from "../bindings";
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
