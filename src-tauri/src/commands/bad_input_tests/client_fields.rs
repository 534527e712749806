//! Clients: every field of the KYC form, the desk date, updates and IIN inspection.

use super::*;

/// A complete, valid client form (the domain's own example): a woman born 11.12.2006.
pub(super) fn client_form() -> ClientForm {
    ClientForm {
        iin: "061211600012".into(),
        surname: "Қасымова".into(),
        given_name: "Әлия".into(),
        patronymic: "Серікқызы".into(),
        birth_date: "11.12.2006".into(),
        sex: Some(Sex::Female),
        phone: "8 701 234 56 78".into(),
        email: "".into(),
        registration_address: "Алматы, ул. Абая, 1".into(),
        actual_address: "Алматы, ул. Абая, 1".into(),
        document_kind: Some(DocumentKind::IdCard),
        document_number: "045 123 456".into(),
        document_issuer: "МВД РК".into(),
        document_issued_on: "15.01.2023".into(),
        document_expires_on: "14.01.2033".into(),
        employer: "ТОО «Рассвет»".into(),
        position: "".into(),
        monthly_income: "350 000".into(),
    }
}

#[rustfmt::skip]
pub(super) fn client_refusals() -> Vec<Bad> {
    use ErrorCode::*;
    let name_over = "ә".repeat(MAX_PART + 1);
    let address_over = sized("Алматы, ул. Абая, дом ", 'д', MAX_ADDRESS + 1);
    let short_over = sized("ТОО ", 'Р', MAX_SHORT_TEXT + 1);
    let email_over = format!("{}@{}.kz", "a".repeat(64), "b".repeat(MAX_EMAIL + 1 - 64 - 1 - 3));
    let kind = |k: &str, number: &str| vec![("document_kind", Value::from(k)), ("document_number", number.into())];
    let mut rows = vec![
        // IIN
        bad("iin", "", Required, "an empty IIN is required"),
        bad("iin", "   ", Required, "an IIN of spaces is empty, so required"),
        bad("iin", "06121160001", BadFormat, "an 11-digit IIN is malformed"),
        bad("iin", "0612116000123", BadFormat, "a 13-digit IIN is malformed"),
        bad("iin", "06121160001O", BadFormat, "a letter O in an IIN is malformed"),
        bad("iin", "061211-600012", BadFormat, "a dash in an IIN is malformed"),
        bad("iin", "061211700012", IinCentury, "a seventh digit of 7 names no century"),
        bad("iin", "061211000012", IinCentury, "a seventh digit of 0 names no century"),
        bad("iin", "061311600012", IinBirthDate, "month 13 in an IIN is no birth date"),
        bad("iin", "060230600012", IinBirthDate, "30.02 in an IIN is no birth date"),
        bad("iin", "060229600012", IinBirthDate, "29.02.2006 in an IIN is no birth date"),
        bad("iin", "061211600013", IinCheckDigit, "a wrong check digit is a typo"),
        bad("iin", "061221600012", IinCheckDigit, "a mistyped birth day breaks the check digit"),
        bad("iin", "061211600050", IinNotIssuable, "no IIN is issued when both check sums give 10"),
        // A valid IIN that is not this person's: the field that disagrees with it is named.
        bad_with(vec![("iin", iin("06121260001").into())], "birth_date", IinMismatch,
            "an IIN saying 12.12.2006 for a woman born 11.12.2006: the birth date disagrees"),
        bad_with(vec![("iin", iin("06121150001").into())], "sex", IinMismatch,
            "an IIN saying male (seventh digit 5) for a woman: the sex disagrees"),
        // Names
        bad("surname", "", Required, "an empty surname is required"),
        bad("surname", " \t ", Required, "a surname of spaces is empty, so required"),
        bad("surname", name_over.as_str(), TooLong, "a 61-character surname must be refused as too long, not truncated"),
        bad("surname", format!("{} {}", "ә".repeat(30), "ә".repeat(30)), TooLong, "61 characters counting the space are too long"),
        bad("surname", "Иванов2", BadCharacter, "a digit in a surname"),
        bad("surname", "Иванов!", BadCharacter, "punctuation in a surname"),
        bad("surname", "--", BadCharacter, "a surname without a letter"),
        bad("surname", "Иванов\u{7}", BadCharacter, "a control character in a surname"),
        bad("surname", "Ivanov😀", BadCharacter, "an emoji in a surname"),
        bad("surname", "Иванoв", MixedScripts, "a Latin o in a Cyrillic surname breaks search and matching"),
        bad("surname", "Қасымoва", MixedScripts, "a Latin o in a Kazakh surname breaks search and matching"),
        bad("surname", "Ivanов", MixedScripts, "Latin then Cyrillic in a surname"),
        bad("given_name", "", Required, "an empty given name is required"),
        bad("given_name", name_over.as_str(), TooLong, "a 61-character given name must be refused as too long, not truncated"),
        bad("given_name", "Әлия1", BadCharacter, "a digit in a given name"),
        bad("given_name", "Әлия_", BadCharacter, "an underscore in a given name"),
        bad("given_name", "Aлия", MixedScripts, "a Latin A in a Cyrillic given name"),
        bad("patronymic", name_over.as_str(), TooLong, "a 61-character patronymic must be refused as too long, not truncated"),
        bad("patronymic", "Серікқызы.", BadCharacter, "a dot in a patronymic"),
        bad("patronymic", "Serікқызы", MixedScripts, "Latin and Cyrillic in a patronymic"),
        // Birth date and sex
        bad("birth_date", "", Required, "an empty birth date is required"),
        bad("birth_date", "2006-12-11", BadFormat, "an ISO date is not dd.mm.yyyy"),
        bad("birth_date", "11.12.06", BadFormat, "a two-digit year is not dd.mm.yyyy"),
        bad("birth_date", "1.12.2006", BadFormat, "a one-digit day is not dd.mm.yyyy"),
        bad("birth_date", "11/12/2006", BadFormat, "slashes are not dd.mm.yyyy"),
        bad("birth_date", "11.12.2006г", BadFormat, "a trailing letter is not dd.mm.yyyy"),
        bad("birth_date", "31.02.2006", NoSuchDay, "31.02 is not in the calendar"),
        bad("birth_date", "29.02.2006", NoSuchDay, "2006 is not a leap year"),
        bad("birth_date", "11.13.2006", NoSuchDay, "there is no month 13"),
        bad("birth_date", "00.12.2006", NoSuchDay, "there is no day 0"),
        bad("birth_date", "26.11.2026", DateInFuture, "a birth date after the desk date"),
        bad("birth_date", "12.12.2006", IinMismatch, "a birth date the IIN does not say (it says 11.12.2006)"),
        bad("sex", Value::Null, Required, "no sex chosen is required"),
        bad("sex", "male", IinMismatch, "male with an IIN whose seventh digit 6 says female"),
        // Phone
        bad("phone", "", Required, "an empty phone is required"),
        bad("phone", "+7 916 123 45 67", PhoneNotKazakh, "+7 9xx is a Russian mobile, not a Kazakh one"),
        bad("phone", "8 495 123 45 67", PhoneNotKazakh, "8 495 is a Moscow landline"),
        bad("phone", "+7 701 234 56 7", BadFormat, "ten digits are too short"),
        bad("phone", "+7 701 234 56 789", BadFormat, "twelve digits are too long"),
        bad("phone", "7012345678", BadFormat, "ten digits lack the 8 or +7"),
        bad("phone", "+8 701 234 56 78", BadFormat, "+8 is no country prefix"),
        bad("phone", "9 701 234 56 78", BadFormat, "9 is no trunk prefix"),
        bad("phone", "+7 701 234 56 7a", BadFormat, "a letter in a phone number"),
        bad("phone", "+7 701 234 56 78 доб. 1", BadFormat, "an extension is not part of the number"),
        // Email (optional)
        bad("email", "nobody", BadFormat, "an email without @"),
        bad("email", "aliya@mail", BadFormat, "an email domain without a dot"),
        bad("email", "@mail.kz", BadFormat, "an email without a local part"),
        bad("email", "aliya@@mail.kz", BadFormat, "an email with two @"),
        bad("email", "aliya@.mail.kz", BadFormat, "an email domain starting with a dot"),
        bad("email", "aliya@mail.kz.", BadFormat, "an email domain ending with a dot"),
        bad("email", "ali ya@mail.kz", BadFormat, "a space inside an email"),
        bad("email", "aliya@mail.kz\u{7}", BadFormat, "a control character in an email"),
        bad("email", email_over.as_str(), TooLong, "a 255-character email must be refused as too long, not truncated"),
    ];
    for field in ["registration_address", "actual_address"] {
        rows.extend([
            bad(field, "", Required, "an empty address is required"),
            bad(field, "   ", Required, "an address of spaces is empty, so required"),
            bad(field, address_over.as_str(), TooLong, "a 201-character address must be refused as too long, not truncated"),
            bad(field, "ул. Абая\u{7}, 1", BadCharacter, "a control character in an address"),
            bad(field, "ул. Абая\u{1b}[2J", BadCharacter, "an escape sequence in an address"),
        ]);
    }
    rows.extend([
        // Identity document
        bad("document_kind", Value::Null, Required, "no document kind chosen is required"),
        bad("document_number", "", Required, "an empty document number is required"),
        bad("document_number", "   ", Required, "a document number of spaces is empty"),
        bad("document_number", "04512345", BadFormat, "an ID card number has 9 digits, not 8"),
        bad("document_number", "0451234567", BadFormat, "an ID card number has 9 digits, not 10"),
        bad("document_number", "04512345A", BadFormat, "a letter in an ID card number"),
        bad("document_number", "045-123-456", BadFormat, "dashes in an ID card number"),
        bad("document_number", "N12345678", BadFormat, "a passport number on an ID card is the wrong shape"),
        bad_with(kind("passport", "045123456"), "document_number", BadFormat, "a passport number is N and 8 digits, not 9 digits"),
        bad_with(kind("passport", "N1234567"), "document_number", BadFormat, "a passport number is N and 8 digits, not 7"),
        bad_with(kind("passport", "Н12345678"), "document_number", BadFormat, "a Cyrillic Н is not the Latin N of a passport number"),
        bad_with(kind("passport", "NN2345678"), "document_number", BadFormat, "a passport number has one letter"),
        bad_with(kind("residence_permit", "N12345678"), "document_number", BadFormat, "a residence permit number has no letter"),
        bad_with(kind("residence_permit", "12345678"), "document_number", BadFormat, "a residence permit number has 9 digits, not 8"),
        bad("document_issuer", "", Required, "an empty issuer is required"),
        bad("document_issuer", short_over.as_str(), TooLong, "a 101-character issuer must be refused as too long, not truncated"),
        bad("document_issuer", "МВД\u{0}РК", BadCharacter, "a NUL in an issuer"),
        bad("document_issued_on", "", Required, "an empty issue date is required"),
        bad("document_issued_on", "2023-01-15", BadFormat, "an ISO date is not dd.mm.yyyy"),
        bad("document_issued_on", "15.1.2023", BadFormat, "a one-digit month is not dd.mm.yyyy"),
        bad("document_issued_on", "31.02.2023", NoSuchDay, "31.02 is not in the calendar"),
        bad("document_issued_on", "26.11.2026", DateInFuture, "a document issued after the desk date"),
        bad("document_issued_on", "10.12.2006", DateOrder, "a document issued the day before its holder was born"),
        bad("document_expires_on", "", Required, "an empty expiry date is required"),
        bad("document_expires_on", "14/01/2033", BadFormat, "slashes are not dd.mm.yyyy"),
        bad("document_expires_on", "31.04.2033", NoSuchDay, "April has 30 days"),
        bad("document_expires_on", "14.01.2023", DateOrder, "a document expiring before it was issued"),
        bad("document_expires_on", "15.01.2023", DateOrder, "a document expiring the day it was issued"),
        bad("document_expires_on", "24.11.2026", DocumentExpired, "a document that expired yesterday is not KYC"),
        bad("document_expires_on", "01.01.2026", DocumentExpired, "a document that expired this year is not KYC"),
        // Employment (optional)
        bad("employer", short_over.as_str(), TooLong, "a 101-character employer must be refused as too long, not truncated"),
        bad("employer", "ТОО\u{7}", BadCharacter, "a control character in an employer"),
        bad("position", short_over.as_str(), TooLong, "a 101-character position must be refused as too long, not truncated"),
        bad("position", "кассир\u{9b}", BadCharacter, "a C1 control character in a position"),
        // Income
        bad("monthly_income", "", Required, "an empty income is required"),
        bad("monthly_income", "   ", Required, "an income of spaces is empty, so required"),
        bad("monthly_income", "триста тысяч", BadFormat, "words are not money"),
        bad("monthly_income", "350 000,123", BadFormat, "three decimals are not money"),
        bad("monthly_income", "1e5", BadFormat, "an exponent is not money"),
        bad("monthly_income", "350 000 KZT", BadFormat, "a currency code is not money"),
        bad("monthly_income", "3,5,0", BadFormat, "two decimal commas are not money"),
        bad("monthly_income", "₸", BadFormat, "a tenge sign alone is not money"),
        bad("monthly_income", "99999999999999999999", BadFormat, "an amount that overflows is not money"),
        bad("monthly_income", "-1", OutOfRange, "a negative income"),
        bad("monthly_income", "-0,01", OutOfRange, "a negative income of one tiyn"),
        bad("monthly_income", "1 000 000 000,01", OutOfRange, "one tiyn above 1 000 000 000 ₸ a month is a typo"),
        bad("monthly_income", "2 000 000 000", OutOfRange, "2 000 000 000 ₸ a month is a typo"),
    ]);
    rows
}

/// Boundaries and shapes that must be accepted (each gets an IIN of its own).
#[rustfmt::skip]
pub(super) fn client_acceptances() -> Vec<Good> {
    let kind = |k: &str, number: &str| vec![("document_kind", Value::from(k)), ("document_number", number.into())];
    vec![
        good("surname", "ә".repeat(MAX_PART), "a 60-character surname is exactly the limit"),
        good("given_name", "ә".repeat(MAX_PART), "a 60-character given name is exactly the limit"),
        good("patronymic", "ә".repeat(MAX_PART), "a 60-character patronymic is exactly the limit"),
        good("patronymic", "", "the patronymic is optional"),
        good("surname", "O'Neil-Smith", "a Latin surname with ' and -"),
        good("email", format!("{}@{}.kz", "a".repeat(64), "b".repeat(MAX_EMAIL - 64 - 1 - 3)), "a 254-character email is exactly the limit"),
        good("email", "aliya@mail.kz", "an ordinary email"),
        good("registration_address", sized("Алматы, ул. Абая, дом ", 'д', MAX_ADDRESS), "a 200-character address is exactly the limit"),
        good("actual_address", sized("Алматы, ул. Абая, дом ", 'д', MAX_ADDRESS), "a 200-character address is exactly the limit"),
        good("document_issuer", sized("МВД ", 'Р', MAX_SHORT_TEXT), "a 100-character issuer is exactly the limit"),
        good("employer", sized("ТОО ", 'Р', MAX_SHORT_TEXT), "a 100-character employer is exactly the limit"),
        good("position", sized("кассир ", 'р', MAX_SHORT_TEXT), "a 100-character position is exactly the limit"),
        good("employer", "", "the employer is optional"),
        good("monthly_income", "1 000 000 000", "1 000 000 000 ₸ a month is exactly the limit"),
        good("monthly_income", "1 000 000 000,00 ₸", "the limit written with decimals and the tenge sign"),
        good("phone", "8 (701) 234-56-78", "brackets and dashes in a phone"),
        good("phone", "+7 727 250 00 00", "an Almaty landline"),
        good("document_expires_on", "25.11.2026", "a document expiring on the desk date is still valid that day"),
        good("document_issued_on", "11.12.2006", "a document issued on the holder's birth day"),
        Good { edits: kind("passport", "n 12345678"), why: "a passport number typed in lower case with a space".into() },
        Good { edits: kind("residence_permit", "123456789"), why: "a residence permit's 9 digits".into() },
    ]
}

// ---------------------------------------------------------------------------------------------
// Clients

#[test]
pub(super) fn client_create_refuses_every_bad_field_and_stores_nothing() {
    let (_tmp, _dir, _keychain, mut v) = desk();
    let rows = client_refusals();
    assert_every_field_covered(&client_form(), &rows);
    let mut ck = Checker::default();

    for row in &rows {
        let form = edited(&client_form(), &row.edits);
        let before = stored(&v);
        let r = clients::create(&mut v, &form, now());
        ck.refused(&v, &before, r, row.code, Some(row.field), &row.why);
    }

    // Exactly the limits, empty optional fields and other usual shapes are accepted and stored.
    let mut serial = 100;
    for g in client_acceptances() {
        let mut edits = g.edits.clone();
        edits.push(("iin", next_iin(&mut serial).into()));
        let form = edited(&client_form(), &edits);
        let before = stored(&v);
        let r = clients::create(&mut v, &form, now());
        if ck.accepted(&v, &before, r, &g.why).is_some()
            && stored(&v).clients.len() != before.clients.len() + 1
        {
            ck.fail(format!("{}: the client must be stored", g.why));
        }
    }
    let spaced = next_iin(&mut serial);
    let form = edited(
        &client_form(),
        &[("iin", format!("{} {}", &spaced[..6], &spaced[6..]).into())],
    );
    let before = stored(&v);
    let r = clients::create(&mut v, &form, now());
    ck.accepted(&v, &before, r, "an IIN printed as 061211 600012");

    // The IIN registered (typed with a space) again, typed without: a duplicate.
    let form = edited(&client_form(), &[("iin", spaced.clone().into())]);
    let before = stored(&v);
    let r = clients::create(&mut v, &form, now());
    ck.refused(
        &v,
        &before,
        r,
        ErrorCode::DuplicateIin,
        Some("iin"),
        "an IIN already registered must be refused and name the IIN field",
    );
    ck.done();
}

#[test]
pub(super) fn client_dates_are_judged_on_the_desk_date_in_almaty() {
    let (_tmp, _dir, _keychain, mut v) = desk();
    let mut ck = Checker::default();
    // 19:30 UTC on 25.11 is 00:30 on 26.11 in Almaty: the desk's date has moved on.
    let late = Utc
        .with_ymd_and_hms(2026, 11, 25, 19, 30, 0)
        .single()
        .expect("a valid time");
    let form = edited(
        &client_form(),
        &[("document_expires_on", "25.11.2026".into())],
    );
    let before = stored(&v);
    let r = clients::create(&mut v, &form, late);
    ck.refused(
        &v,
        &before,
        r,
        ErrorCode::DocumentExpired,
        Some("document_expires_on"),
        "a document that expired yesterday in Almaty is expired, though it is still the 25th in UTC",
    );
    let form = edited(
        &client_form(),
        &[("document_issued_on", "26.11.2026".into())],
    );
    let before = stored(&v);
    let r = clients::create(&mut v, &form, late);
    ck.accepted(
        &v,
        &before,
        r,
        "a document issued today in Almaty is not in the future, though UTC is a day behind",
    );
    ck.done();
}

#[test]
pub(super) fn client_update_refuses_every_bad_field_stale_versions_and_taken_iins() {
    let (_tmp, _dir, _keychain, mut v) = desk();
    let mut ck = Checker::default();
    let a = clients::create(&mut v, &client_form(), now()).expect("client A");
    let mut serial = 100;
    let other_iin = next_iin(&mut serial);
    let b_form = edited(&client_form(), &[("iin", other_iin.clone().into())]);
    clients::create(&mut v, &b_form, now()).expect("client B");

    for row in &client_refusals() {
        let request = ClientUpdateRequest {
            id: a.clone(),
            version: 1,
            form: edited(&client_form(), &row.edits),
        };
        let before = stored(&v);
        let r = clients::update(&mut v, &request, now());
        ck.refused(&v, &before, r, row.code, Some(row.field), &row.why);
    }

    let changed = edited(&client_form(), &[("phone", "+7 777 000 00 01".into())]);
    for (version, why) in [
        (2, "an edit from a version nobody has yet is stale"),
        (0, "an edit from version 0 is stale"),
    ] {
        let request = ClientUpdateRequest {
            id: a.clone(),
            version,
            form: changed.clone(),
        };
        let before = stored(&v);
        let r = clients::update(&mut v, &request, now());
        ck.refused(&v, &before, r, ErrorCode::Stale, None, why);
    }
    let request = ClientUpdateRequest {
        id: "no-such-client".into(),
        version: 1,
        form: changed.clone(),
    };
    let before = stored(&v);
    let r = clients::update(&mut v, &request, now());
    ck.refused(
        &v,
        &before,
        r,
        ErrorCode::NotFound,
        None,
        "an unknown client",
    );
    let request = ClientUpdateRequest {
        id: a.clone(),
        version: 1,
        form: b_form.clone(),
    };
    let before = stored(&v);
    let r = clients::update(&mut v, &request, now());
    ck.refused(
        &v,
        &before,
        r,
        ErrorCode::DuplicateIin,
        Some("iin"),
        "changing A's IIN to B's must be refused on the IIN field",
    );

    let request = ClientUpdateRequest {
        id: a.clone(),
        version: 1,
        form: changed,
    };
    let before = stored(&v);
    let r = clients::update(&mut v, &request, now());
    if let Some(version) = ck.accepted(&v, &before, r, "a good edit at the current version")
        && version != 2
    {
        ck.fail(format!(
            "a good edit raises the version to 2, not {version}"
        ));
    }
    ck.done();
}

#[test]
pub(super) fn iin_inspection_refuses_every_malformed_iin() {
    use ErrorCode::*;
    let (_tmp, _dir, _keychain, mut v) = desk();
    let mut ck = Checker::default();
    let rows: &[(&str, ErrorCode, &str)] = &[
        ("06121160001", BadFormat, "an 11-digit IIN is malformed"),
        ("0612116000123", BadFormat, "a 13-digit IIN is malformed"),
        ("06121160001O", BadFormat, "a letter in an IIN is malformed"),
        (
            "061211700012",
            IinCentury,
            "a seventh digit of 7 names no century",
        ),
        ("061311600012", IinBirthDate, "month 13 is no birth date"),
        (
            "061211600013",
            IinCheckDigit,
            "a wrong check digit is a typo",
        ),
        ("061211600050", IinNotIssuable, "both check sums give 10"),
    ];
    for (text, code, why) in rows {
        let before = stored(&v);
        let r = clients::inspect_iin(&v, text);
        ck.refused(&v, &before, r, *code, Some("iin"), why);
    }

    let before = stored(&v);
    match clients::inspect_iin(&v, " 061211 600012 ") {
        Ok(info) => {
            if (
                info.iin.as_str(),
                info.birth_date.as_str(),
                info.sex,
                &info.client_id,
            ) != ("061211600012", "11.12.2006", Sex::Female, &None)
            {
                ck.fail(format!(
                    "a valid IIN says 11.12.2006, female, no client yet: {info:?}"
                ));
            }
        }
        Err(e) => ck.fail(format!("a valid IIN with spaces is read: {e:?}")),
    }
    if stored(&v) != before {
        ck.fail("inspecting an IIN stores nothing".into());
    }
    let id = clients::create(&mut v, &client_form(), now()).expect("a client");
    match clients::inspect_iin(&v, "061211600012") {
        Ok(info) if info.client_id.as_deref() == Some(id.as_str()) => {}
        other => ck.fail(format!("a registered IIN names its client: {other:?}")),
    }
    ck.done();
}

#[test]
pub(super) fn iin_inspection_of_an_empty_field_says_required() {
    let (_tmp, _dir, _keychain, v) = desk();
    let mut ck = Checker::default();
    for (text, why) in [
        (
            "",
            "inspecting an empty IIN is a required field, as on the form",
        ),
        (
            "   ",
            "inspecting an IIN of spaces is a required field, as on the form",
        ),
    ] {
        let before = stored(&v);
        let r = clients::inspect_iin(&v, text);
        ck.refused(&v, &before, r, ErrorCode::Required, Some("iin"), why);
    }
    ck.done();
}
