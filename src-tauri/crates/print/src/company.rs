//! The organisation's particulars printed at the foot of every page of every document: name, БИН,
//! address and licence. They are kept here and nowhere else, so correcting them is a one-line
//! change.
//!
//! **PLACEHOLDERS.** The repository holds no authoritative БИН, legal address or licence number.
//! The values below are stand-ins that say so on paper; they are to be confirmed by head office
//! before release (see ARCHITECTURE.md, "Where this stage departs from DESIGN.md"). A unit test
//! checks that the values, whatever they become, fit the two lines the footer has for them.

/// The organisation as its documents name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Company {
    /// The full legal name in Russian.
    pub name: &'static str,
    /// The short name for the footer.
    pub short_name: &'static str,
    /// Business identification number (БИН / БСН), 12 digits.
    pub bin: &'static str,
    /// The registered address.
    pub address: &'static str,
    /// The licence for microfinance activity, as it is to be cited.
    pub licence: &'static str,
}

/// ТОО «МФО «SM INVEST»». PLACEHOLDER БИН, address and licence: to be confirmed by head office
/// before release.
pub const COMPANY: Company = Company {
    name: "ТОО «Микрофинансовая организация «SM INVEST»»",
    short_name: "ТОО «МФО «SM INVEST»»",
    // PLACEHOLDER: to be confirmed by head office.
    bin: "000000000000",
    // PLACEHOLDER: to be confirmed by head office.
    address: "г. Алматы (адрес уточняется)",
    // PLACEHOLDER: to be confirmed by head office.
    licence: "лицензия (номер уточняется)",
};

impl Company {
    /// The line at the foot of every page: `ТОО «МФО «SM INVEST»» · БИН / БСН … · address · licence`.
    pub fn footer_line(&self) -> String {
        format!(
            "{} · БИН / БСН {} · {} · {}",
            self.short_name, self.bin, self.address, self.licence
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_particulars_are_printable_and_fit_the_footer() {
        let line = COMPANY.footer_line();
        assert_eq!(
            crate::fonts::check_printable(&line),
            Ok(()),
            "the footer's fonts draw every character of the company line"
        );
        assert!(
            COMPANY.bin.len() == 12 && COMPANY.bin.bytes().all(|b| b.is_ascii_digit()),
            "a БИН is 12 digits: {}",
            COMPANY.bin
        );
        let lines = crate::layout::wrap(
            &[crate::layout::plain(line)],
            crate::layout::FOOTER_SIZE,
            crate::layout::WIDTH,
        );
        assert!(
            lines.len() <= crate::layout::FOOTER_NOTICE_LINES,
            "the company line must fit the footer's {} lines, it takes {}",
            crate::layout::FOOTER_NOTICE_LINES,
            lines.len()
        );
    }
}
