//! Clients in the vault: one row per client (the checked record as JSON, plus the keys it is found
//! by), a contentless FTS5 index over the normalised name, and search by IIN, name or phone in
//! pages ordered by name. Every change is audited and queued for head office in its transaction.

use chrono::{DateTime, NaiveDate, Utc};
use domain::client::{Client, name_key};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::audit;
use crate::error::VaultError;
use crate::ids::ClientId;
use crate::officer::random_id;
use crate::paging::{Page, cursor, split_cursor};
use crate::stamp::stamp;
use crate::vault::Vault;

/// A client as stored, with what editing needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRecord {
    /// The client's id in the vault.
    pub id: ClientId,
    /// Raised by every change; an edit names the version it started from.
    pub version: i64,
    /// The checked client as registered.
    pub client: Client,
    /// When the client was registered (RFC 3339, UTC).
    pub created_at: String,
    /// When the record last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// A client in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRow {
    /// The client's id in the vault.
    pub id: ClientId,
    /// ИИН, 12 digits.
    pub iin: String,
    /// "Surname Name Patronymic".
    pub full_name: String,
    /// Phone as `+7 7XX XXX XX XX`.
    pub phone: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
}

/// Fewest letters a name search needs, and fewest digits an IIN or phone search needs: shorter
/// input matches a large part of the register and tells the officer nothing.
pub const MIN_NAME_LETTERS: usize = 2;
pub const MIN_DIGITS: usize = 4;

/// Above this many name matches a search walks the name index in order and keeps the matches,
/// instead of sorting every match to find the first page (BENCHMARKS.md).
const DENSE_MATCHES: i64 = 2_000;

/// What the one search box was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientQuery {
    /// Empty box: every client, in name order.
    All,
    /// Fewer than [`MIN_NAME_LETTERS`] letters or [`MIN_DIGITS`] digits: nothing is searched.
    TooShort,
    /// Digits only: an IIN or its start, or a phone number or its start (`8…` read as `7…`).
    Digits(String),
    /// A phone number typed with `+` or separators: its digits, country code first.
    Phone(String),
    /// Name words; each must start a word of the client's name.
    Name(Vec<String>),
}

impl ClientQuery {
    /// Reads the search box the way SCENARIOS.md describes: digits search IIN (and phone),
    /// `+7`/`8 7…` with separators a phone, letters a name.
    pub fn parse(text: &str) -> ClientQuery {
        let t = text.trim();
        if t.is_empty() {
            return ClientQuery::All;
        }
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        let phone_like = t
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()\u{a0}".contains(c));
        if phone_like && !digits.is_empty() {
            let d = if t.chars().all(|c| c.is_ascii_digit()) {
                ClientQuery::Digits(digits)
            } else {
                ClientQuery::Phone(phone_digits_prefix(&digits))
            };
            return match &d {
                ClientQuery::Digits(x) | ClientQuery::Phone(x) if x.len() < MIN_DIGITS => {
                    ClientQuery::TooShort
                }
                _ => d,
            };
        }
        let words: Vec<String> = name_key(t)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let letters: usize = words.iter().map(|w| w.chars().count()).sum();
        if words.is_empty() {
            ClientQuery::All
        } else if letters < MIN_NAME_LETTERS {
            ClientQuery::TooShort
        } else {
            ClientQuery::Name(words)
        }
    }
}

/// A typed phone's digits as stored (`7XXXXXXXXXX`): a leading 8 is the trunk prefix for 7.
fn phone_digits_prefix(digits: &str) -> String {
    match digits.strip_prefix('8') {
        Some(rest) => format!("7{rest}"),
        None => digits.to_owned(),
    }
}

fn stored_phone(c: &Client) -> String {
    c.phone
        .as_str()
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

/// The FTS5 query for name words: every word as a quoted prefix (quotes doubled, so no syntax).
fn fts_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

const ROW_COLUMNS: &str = "c.id, c.iin, c.name_key, c.data";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ClientRow, String)> {
    let data: String = r.get(3)?;
    let client: Client = serde_json::from_str(&data).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok((
        ClientRow {
            id: r.get(0)?,
            iin: r.get(1)?,
            full_name: client.full_name(),
            phone: client.phone.as_str().to_owned(),
            birth_date: client.birth_date,
        },
        r.get(2)?,
    ))
}

fn index_name(tx: &Transaction<'_>, rowid: i64, key: &str) -> Result<(), VaultError> {
    tx.execute(
        "INSERT INTO client_name (rowid, name) VALUES (?1, ?2)",
        params![rowid, key],
    )?;
    Ok(())
}

impl Vault {
    /// Registers a client; the same IIN twice is refused, naming the client who has it.
    pub fn add_client(
        &mut self,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<ClientId, VaultError> {
        if let Some(existing) = self.client_id_by_iin(client.iin.as_str())? {
            return Err(VaultError::DuplicateIin {
                client_id: existing,
            });
        }
        let id = random_id();
        let data = serde_json::to_string(client).map_err(|_| VaultError::Damaged)?;
        let key = name_key(&client.full_name());
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO client (id, iin, name_key, phone_digits, data, version, created_at, created_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?6)",
            params![
                id,
                client.iin.as_str(),
                key,
                stored_phone(client),
                data,
                stamp(now),
                self.officer.id.0
            ],
        )?;
        index_name(&tx, tx.last_insert_rowid(), &key)?;
        audit::record(
            &tx,
            &self.officer.id,
            now,
            "client.add",
            &id,
            data.as_bytes(),
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(ClientId::from(id))
    }

    /// Replaces a client's record, if nobody changed it since `version` was read.
    pub fn update_client(
        &mut self,
        id: &ClientId,
        version: i64,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<i64, VaultError> {
        let (rowid, stored_version, old_key): (i64, i64, String) = self
            .conn
            .query_row(
                "SELECT rowid, version, name_key FROM client WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or(VaultError::NotFound)?;
        if stored_version != version {
            return Err(VaultError::Stale);
        }
        if let Some(other) = self.client_id_by_iin(client.iin.as_str())?
            && &other != id
        {
            return Err(VaultError::DuplicateIin { client_id: other });
        }
        let data = serde_json::to_string(client).map_err(|_| VaultError::Damaged)?;
        let key = name_key(&client.full_name());
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE client SET iin = ?2, name_key = ?3, phone_digits = ?4, data = ?5,
                 version = version + 1, updated_at = ?6
             WHERE id = ?1",
            params![
                id,
                client.iin.as_str(),
                key,
                stored_phone(client),
                data,
                stamp(now)
            ],
        )?;
        if key != old_key {
            tx.execute("DELETE FROM client_name WHERE rowid = ?1", [rowid])?;
            index_name(&tx, rowid, &key)?;
        }
        audit::record(
            &tx,
            &self.officer.id,
            now,
            "client.update",
            id.as_str(),
            data.as_bytes(),
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(version + 1)
    }

    /// One client by id.
    pub fn client(&self, id: &ClientId) -> Result<ClientRecord, VaultError> {
        let (version, data, created_at, updated_at): (i64, String, String, String) = self
            .conn
            .query_row(
                "SELECT version, data, created_at, updated_at FROM client WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or(VaultError::NotFound)?;
        Ok(ClientRecord {
            id: id.clone(),
            version,
            client: serde_json::from_str(&data).map_err(|_| VaultError::Damaged)?,
            created_at,
            updated_at,
        })
    }

    /// The id of the client with this IIN, if one is registered.
    pub fn client_id_by_iin(&self, iin: &str) -> Result<Option<ClientId>, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT id FROM client WHERE iin = ?1", [iin], |r| r.get(0))
            .optional()?)
    }

    /// A page of clients matching `query`, in name order, starting after the cursor `after`.
    pub fn search_clients(
        &self,
        query: &ClientQuery,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Page<ClientRow>, VaultError> {
        self.search_clients_with(query, after, limit, DENSE_MATCHES)
    }

    /// [`search_clients`](Self::search_clients) with the dense-match threshold as a parameter, so
    /// tests can hold both strategies to the same answers.
    fn search_clients_with(
        &self,
        query: &ClientQuery,
        after: Option<&str>,
        limit: u32,
        dense_above: i64,
    ) -> Result<Page<ClientRow>, VaultError> {
        let (after_key, after_id) = split_cursor(after).unwrap_or_default();
        let limit = i64::from(limit.clamp(1, 200));
        // One more row than asked for tells whether another page exists.
        let fetch = limit + 1;
        let keyset = "(c.name_key, c.id) > (?1, ?2)";
        let order = "ORDER BY c.name_key, c.id LIMIT ?3";
        let rows: Vec<(ClientRow, String)> = match query {
            ClientQuery::TooShort => Vec::new(),
            ClientQuery::All => {
                let sql = format!("SELECT {ROW_COLUMNS} FROM client c WHERE {keyset} {order}");
                let mut s = self.conn.prepare_cached(&sql)?;
                s.query_map(params![after_key, after_id, fetch], row)?
                    .collect::<Result<_, _>>()?
            }
            ClientQuery::Digits(d) => {
                let sql = format!(
                    "SELECT {ROW_COLUMNS} FROM client c
                     WHERE (c.iin BETWEEN ?4 AND ?4 || '~' OR c.phone_digits BETWEEN ?5 AND ?5 || '~')
                       AND {keyset} {order}"
                );
                let mut s = self.conn.prepare_cached(&sql)?;
                s.query_map(
                    params![after_key, after_id, fetch, d, phone_digits_prefix(d)],
                    row,
                )?
                .collect::<Result<_, _>>()?
            }
            ClientQuery::Phone(d) => {
                let sql = format!(
                    "SELECT {ROW_COLUMNS} FROM client c
                     WHERE c.phone_digits BETWEEN ?4 AND ?4 || '~' AND {keyset} {order}"
                );
                let mut s = self.conn.prepare_cached(&sql)?;
                s.query_map(params![after_key, after_id, fetch, d], row)?
                    .collect::<Result<_, _>>()?
            }
            ClientQuery::Name(words) => {
                let fts = fts_query(words);
                // Counting stops just past the threshold: only which side of it matters.
                let matches: i64 = self.conn.query_row(
                    "SELECT count(*) FROM
                         (SELECT 1 FROM client_name WHERE client_name MATCH ?1 LIMIT ?2 + 1)",
                    params![fts, dense_above.min(i64::MAX - 1)],
                    |r| r.get(0),
                )?;
                // Many matches: walk the name index in order and keep the matching rows (the
                // first page is near). Few: take the matches and sort them.
                let sql = if matches > dense_above {
                    format!(
                        "SELECT {ROW_COLUMNS} FROM client c INDEXED BY client_by_name
                         WHERE c.rowid IN (SELECT rowid FROM client_name WHERE client_name MATCH ?4)
                           AND {keyset} {order}"
                    )
                } else {
                    format!(
                        "SELECT {ROW_COLUMNS} FROM client_name f JOIN client c ON c.rowid = f.rowid
                         WHERE client_name MATCH ?4 AND {keyset} {order}"
                    )
                };
                let mut s = self.conn.prepare_cached(&sql)?;
                s.query_map(params![after_key, after_id, fetch, fts], row)?
                    .collect::<Result<_, _>>()?
            }
        };
        let page = Page::from_rows(rows, limit, |(r, key)| cursor(key, r.id.as_str()));
        Ok(Page {
            items: page.items.into_iter().map(|(r, _)| r).collect(),
            next: page.next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_box_reads_digits_phones_and_names() {
        assert_eq!(ClientQuery::parse("  "), ClientQuery::All);
        assert_eq!(
            ClientQuery::parse("0612"),
            ClientQuery::Digits("0612".into())
        );
        assert_eq!(ClientQuery::parse("061"), ClientQuery::TooShort, "3 digits");
        assert_eq!(ClientQuery::parse("8"), ClientQuery::TooShort);
        assert_eq!(ClientQuery::parse("+7 7"), ClientQuery::TooShort);
        assert_eq!(ClientQuery::parse("а"), ClientQuery::TooShort, "one letter");
        assert_eq!(
            ClientQuery::parse("ер"),
            ClientQuery::Name(vec!["ер".into()])
        );
        assert_eq!(
            ClientQuery::parse("+7 701 234"),
            ClientQuery::Phone("7701234".into())
        );
        assert_eq!(
            ClientQuery::parse("8 (701) 23"),
            ClientQuery::Phone("770123".into())
        );
        assert_eq!(
            ClientQuery::parse("Ёлкина  ӘЛИЯ"),
            ClientQuery::Name(vec!["елкина".into(), "әлия".into()])
        );
        assert_eq!(
            ClientQuery::parse("\"*"),
            ClientQuery::All,
            "punctuation alone searches nothing in particular"
        );
    }

    #[test]
    fn both_name_strategies_give_the_same_pages() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let keychain = crate::Keychain::mock().expect("mock");
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z")
            .expect("a fixed moment")
            .to_utc();
        let mut v = Vault::create(
            &crate::VaultDir::new(tmp.path().join("vault")),
            &keychain,
            "Админ",
            &crate::Passphrase::new("admin passphrase".into()),
            None,
            now,
        )
        .expect("vault");
        let surnames = [
            "Ахметова",
            "Ахмедова",
            "Ерланова",
            "Сергеева",
            "Ахметжанова",
        ];
        let given = ["Айгүл", "Ерке", "Әлия", "Ахмет"];
        let mut serial = 0;
        for s in surnames {
            for g in given {
                serial += 1;
                let form = domain::client::ClientForm {
                    iin: iin(serial),
                    surname: s.into(),
                    given_name: g.into(),
                    birth_date: "11.12.1990".into(),
                    sex: Some(domain::iin::Sex::Female),
                    phone: format!("870123{serial:05}"),
                    registration_address: "Алматы".into(),
                    actual_address: "Алматы".into(),
                    document_kind: Some(domain::client::DocumentKind::IdCard),
                    document_number: "045123456".into(),
                    document_issuer: "МВД РК".into(),
                    document_issued_on: "15.01.2023".into(),
                    document_expires_on: "14.01.2033".into(),
                    monthly_income: "1".into(),
                    ..Default::default()
                };
                let c = domain::client::check(&form, now.date_naive()).expect("valid client");
                v.add_client(&c, now).expect("add");
            }
        }
        for q in ["ах", "ахмет", "ер", "айгүл ах", "сер"] {
            let pages = |dense_above: i64| {
                let mut all = Vec::new();
                let mut after = None;
                loop {
                    let p = v
                        .search_clients_with(
                            &ClientQuery::parse(q),
                            after.as_deref(),
                            3,
                            dense_above,
                        )
                        .expect("search");
                    all.extend(p.items.into_iter().map(|r| r.id));
                    match p.next {
                        Some(n) => after = Some(n),
                        None => return all,
                    }
                }
            };
            let sorted = pages(i64::MAX);
            assert!(!sorted.is_empty(), "{q} finds someone");
            assert_eq!(
                pages(0),
                sorted,
                "{q}: walking the name index gives the same pages"
            );
        }
    }

    /// A valid IIN for 11.12.1990, female, with this serial.
    fn iin(serial: u32) -> String {
        let mut d = [9, 0, 1, 2, 1, 1, 4, 0, 0, 0, 0];
        let mut n = serial;
        loop {
            let mut t = n;
            for i in (7..11).rev() {
                d[i] = t % 10;
                t /= 10;
            }
            if let Some(k) = domain::iin::check_digit(&d) {
                return d.iter().chain([k].iter()).map(|x| x.to_string()).collect();
            }
            n += 1000;
        }
    }

    #[test]
    fn name_words_become_quoted_prefixes() {
        assert_eq!(
            fts_query(&["ив".into(), "a\"b".into()]),
            "\"ив\"* \"a\"\"b\"*"
        );
    }
}
