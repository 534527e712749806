// The form the officer has open, if it has unsaved changes. When the desk is about to lock itself
// the shell saves it inside the vault (`form_draft_save`); after unlocking it comes back once
// (`form_draft_take`) and the same form reopens with what was typed.
import type { Route } from "./route";

export type OpenForm = { kind: "client" | "application"; route: Route; data: unknown };

let open = $state<OpenForm | null>(null);

export function setOpenForm(f: OpenForm | null): void {
  open = f;
}

export function openForm(): OpenForm | null {
  return open;
}

/** What the vault keeps: the form's kind, and its route and content as JSON. */
export function serialise(f: OpenForm): { kind: string; data: string } {
  return { kind: f.kind, data: JSON.stringify({ route: f.route, data: f.data }) };
}

/** A saved draft back as a form, or null if it is not one this build understands. */
export function deserialise(kind: string, data: string): OpenForm | null {
  if (kind !== "client" && kind !== "application") return null;
  try {
    const parsed = JSON.parse(data) as { route?: Route; data?: unknown };
    if (parsed.route === undefined || typeof parsed.route.kind !== "string") return null;
    return { kind, route: parsed.route, data: parsed.data };
  } catch {
    return null;
  }
}
