//! The client as a printed document shows them: plain values, already in the form the paper uses.

use chrono::NaiveDate;
use domain::client::{Client, DocumentKind};
use domain::date::format_date;
use serde::{Deserialize, Serialize};

use crate::PrintError;
use crate::layout::Sheet;

/// The client's particulars on a consent form or an offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientData {
    /// "Surname Name Patronymic", as on the ID document.
    pub full_name: String,
    /// The client's ИИН (individual identification number).
    pub iin: String,
    /// The client's date of birth.
    pub birth_date: NaiveDate,
    /// `Удостоверение личности № 012345678, выдано МВД РК 01.02.2020, действительно до 01.02.2030`.
    pub document: String,
    /// Address of registration (прописка).
    pub registration_address: String,
    /// Address where the client actually lives.
    pub actual_address: String,
    /// `+7 701 234 56 78`.
    pub phone: String,
}

fn document_kind(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::IdCard => "Удостоверение личности",
        DocumentKind::Passport => "Паспорт РК",
        DocumentKind::ResidencePermit => "Вид на жительство",
    }
}

impl ClientData {
    /// The particulars of `client`, formatted for print.
    pub fn of(client: &Client) -> ClientData {
        let d = &client.document;
        ClientData {
            full_name: client.full_name(),
            iin: client.iin.as_str().to_owned(),
            birth_date: client.birth_date,
            document: format!(
                "{} № {}, выдано {} {}, действительно до {}",
                document_kind(d.kind),
                d.number,
                d.issuer,
                format_date(d.issued_on),
                format_date(d.expires_on)
            ),
            registration_address: client.registration_address.clone(),
            actual_address: client.actual_address.clone(),
            phone: client.phone.to_string(),
        }
    }

    pub(crate) fn texts(&self) -> [&str; 6] {
        [
            &self.full_name,
            &self.iin,
            &self.document,
            &self.registration_address,
            &self.actual_address,
            &self.phone,
        ]
    }

    /// The particulars as a two-column table with bilingual labels.
    pub(crate) fn table(&self, sheet: &mut Sheet) -> Result<(), PrintError> {
        let rows = vec![
            vec!["Ф.И.О. / Т.А.Ә.".to_owned(), self.full_name.clone()],
            vec!["ИИН / ЖСН".to_owned(), self.iin.clone()],
            vec![
                "Дата рождения / Туған күні".to_owned(),
                format_date(self.birth_date),
            ],
            vec!["Документ / Құжат".to_owned(), self.document.clone()],
            vec![
                "Адрес регистрации / Тіркелген мекенжайы".to_owned(),
                self.registration_address.clone(),
            ],
            vec![
                "Фактический адрес / Нақты мекенжайы".to_owned(),
                self.actual_address.clone(),
            ],
            vec!["Телефон / Телефон".to_owned(), self.phone.clone()],
        ];
        sheet.facts(&rows, [0.34, 0.66], 9.0)
    }
}
