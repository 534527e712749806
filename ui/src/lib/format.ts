// Display forms shared with the Rust domain crate (golden vectors in
// src-tauri/crates/domain/tests/vectors/format.json): money `1 234 567,89 ₸`, dates `dd.mm.yyyy`.

/** Tiyn (integer) → `1 234 567,89 ₸`. Money is never a float: the input must be an integer. */
export function formatMoney(tiyn: number | bigint): string {
  if (typeof tiyn === "number" && !Number.isSafeInteger(tiyn)) {
    throw new RangeError(`money must be an integer number of tiyn, got ${tiyn}`);
  }
  const n = BigInt(tiyn);
  const sign = n < 0n ? "-" : "";
  const abs = n < 0n ? -n : n;
  const tenge = (abs / 100n).toString();
  const cents = (abs % 100n).toString().padStart(2, "0");
  const grouped = tenge.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return `${sign}${grouped},${cents} ₸`;
}

/** Tiyn → `50 000 ₸` for whole tenge, else `49 999,99 ₸`: the short form messages name limits in. */
export function formatTenge(tiyn: number | bigint): string {
  return formatMoney(tiyn).replace(/,00 ₸$/, " ₸");
}

/** ISO `yyyy-mm-dd` (or a full ISO timestamp's date part) → `dd.mm.yyyy`. */
export function formatDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${iso}`);
  return `${m[3]}.${m[2]}.${m[1]}`;
}
