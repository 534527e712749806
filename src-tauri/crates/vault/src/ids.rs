//! The ids of the vault's records as types of their own, so a client's id cannot be passed where an
//! application's or a document's is expected. Each is the random hex id the vault made, stored and
//! sent as plain text (serde and SQLite see a string).

use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlResult, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Gives back the text.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name(text.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                String::column_result(value).map($name)
            }
        }
    };
}

record_id!(
    /// A client's id.
    ClientId
);
record_id!(
    /// An application version's id (version 1's id is also the lineage's).
    ApplicationId
);
record_id!(
    /// An issued document's id.
    DocumentId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_text_on_the_wire_and_in_sqlite() {
        let id = ClientId::from("0a1b2c");
        assert_eq!(serde_json::to_string(&id).expect("json"), "\"0a1b2c\"");
        let conn = rusqlite::Connection::open_in_memory().expect("db");
        let back: ApplicationId = conn
            .query_row("SELECT ?1", [&id], |r| r.get(0))
            .expect("round trip");
        assert_eq!(back.as_str(), id.as_str(), "the same text, another type");
    }
}
