//! Clients and applications at branch scale (issue #4); prints Markdown rows for BENCHMARKS.md.
//!
//!   cargo bench -p branchdesk-vault --features bench --bench records
//!
//! A real vault (`Vault::create`, mock keychain, an officer and a supervisor) is seeded with
//! 100 000 clients and 100 000 applications. The clients are valid `domain::client::check`
//! records with distinct valid IINs (birth date and sex agreeing) and distinct phones, and names
//! drawn from Kazakh (3 in 4) and Russian given-name, patronymic and surname lists: a tenth bear a
//! common surname weighted 1/rank (Ахметов about 1.8 % of clients), the rest a long tail formed
//! from forefathers' names (-ов/-ев, -беков, -жанов, -баев; -ов/-ин), so a surname prefix matches
//! about as many rows as in a real branch, and a first letter or two a large share of them.
//! Applications go to random clients, with terms checked against the shipped catalog, and stand
//! at every stage (most signed or declined, some revised into a second version).
//!
//! Seeding uses `vault::bench::seed`: one transaction with the same INSERTs as `add_client`,
//! `create_application` and the lifecycle steps (client row, contentless FTS5 `client_name` row,
//! application and event rows, an audit link and outbox record per change), because the public
//! calls commit with `synchronous=FULL` once per record and per step (over half a million commits).
//! Everything measured goes through the public API only, on a fresh unlock as the officer
//! (the vault lives in a temporary folder on disk, so commits really fsync): IIN lookup, the
//! search box (names, digits, phones), list pages, and saving an application (`create_application` and
//! `update_draft`, each its own transaction, fsync included). Each measure runs a few times
//! untimed to prepare its statements, then reports p50 and p99 over its samples.

// A benchmark times real runs and stamps what it writes with the real clock.
#![allow(clippy::disallowed_methods)]

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use domain::application::{ApplicationForm, Stage, Step, Terms};
use domain::client::{Client, ClientForm, DocumentKind};
use domain::iin::{Iin, Sex};
use domain::schedule::Method;
use vault::bench::SeedApplication;
use vault::{ApplicationFilter, ClientQuery, Keychain, Passphrase, Role, Vault, VaultDir};

const CLIENTS: usize = 100_000;
const APPLICATIONS: usize = 100_000;
/// The page size the desk's screens ask for (`commands::clients::PAGE`).
const PAGE: u32 = 50;
/// The client card lists up to this many of the client's applications.
const CARD: u32 = 200;
const SAMPLES: usize = 500;
/// Fewer for the search box: some of its queries take most of a second today.
const SEARCHES: usize = 200;
const SAVES: usize = 1000;
const WARM_UP: usize = 5;

/// splitmix64: a small deterministic generator, so every run seeds the same vault.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// An index into a list weighted by `zipf_table` (rank 0 most common).
    fn zipf(&mut self, cumulative: &[f64]) -> usize {
        let total = cumulative[cumulative.len() - 1];
        let x = (self.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        cumulative.partition_point(|&c| c <= x)
    }
}

fn zipf_table(n: usize) -> Vec<f64> {
    let mut acc = 0.0;
    (0..n)
        .map(|r| {
            acc += 1.0 / (r + 1) as f64;
            acc
        })
        .collect()
}

/// Common Kazakh surnames in their male form, most common first (Қасым… several times, as in
/// life); a tenth of Kazakh clients bear one of these, weighted 1/rank.
const KAZAKH_SURNAMES: &[&str] = &[
    "Ахметов",
    "Омаров",
    "Сулейменов",
    "Абдрахманов",
    "Искаков",
    "Жумабаев",
    "Қасымов",
    "Оспанов",
    "Байжанов",
    "Тоқтаров",
    "Серікбаев",
    "Ермеков",
    "Мұратов",
    "Кенжебаев",
    "Есенов",
    "Сапаров",
    "Төлегенов",
    "Нұрланов",
    "Ибраев",
    "Әлиев",
    "Алиев",
    "Касымов",
    "Смағұлов",
    "Мұхамеджанов",
    "Әбілов",
    "Жақсылықов",
    "Қасымбеков",
    "Бекмұхамбетов",
    "Нұрпейісов",
    "Қайратов",
    "Байтұрсынов",
    "Жолдасбеков",
    "Өтегенов",
    "Ұзақов",
    "Құдайбергенов",
    "Дүйсенбаев",
    "Рахимов",
    "Исмаилов",
    "Сатпаев",
    "Иманбаев",
    "Қасымжанов",
    "Ержанов",
    "Аубакиров",
    "Тұрсынов",
    "Шайхин",
    "Бекболатов",
    "Садықов",
    "Нұрғалиев",
    "Әміров",
    "Сейітов",
    "Қайратұлы",
    "Серікұлы",
    "Ғабдуллин",
    "Ізбасаров",
    "Үмбетов",
    "Һадиев",
    "Бейсенов",
    "Мамытов",
    "Жүсіпов",
    "Қалиев",
];

/// Common Russian and other surnames of Kazakhstan, male form, most common first; a tenth of the
/// other clients bear one of these, weighted 1/rank.
const OTHER_SURNAMES: &[&str] = &[
    "Иванов",
    "Ким",
    "Смирнов",
    "Попов",
    "Кузнецов",
    "Петров",
    "Васильев",
    "Пак",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Шевченко",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Цой",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Бондаренко",
    "Ковальский",
    "Мельник",
    "Орлов",
    "Андреев",
    "Макаров",
    "Зайцев",
    "Гончаренко",
    "Шмидт",
    "Миллер",
    "Юсупов",
];

/// The long tail of Kazakh surnames, formed from a forefather's name: the root with -ов/-ев,
/// -беков, -жанов or -баев (the rest of the Kazakh clients, uniformly).
const KAZAKH_ROOTS: &[&str] = &[
    "Ахмет",
    "Омар",
    "Сұлтан",
    "Абдрахман",
    "Ысқақ",
    "Жұма",
    "Қасым",
    "Оспан",
    "Байжан",
    "Тоқтар",
    "Серік",
    "Ермек",
    "Мұрат",
    "Кенже",
    "Есен",
    "Сапар",
    "Төлеген",
    "Нұрлан",
    "Ибрай",
    "Әли",
    "Смағұл",
    "Мұхамед",
    "Әбіл",
    "Жақсылық",
    "Бекмұхамбет",
    "Нұрпейіс",
    "Қайрат",
    "Байтұрсын",
    "Жолдас",
    "Өтеген",
    "Ұзақ",
    "Құдайберген",
    "Дүйсен",
    "Рахым",
    "Исмаил",
    "Иман",
    "Ержан",
    "Әубәкір",
    "Тұрсын",
    "Садық",
    "Нұрғали",
    "Әмір",
    "Сейіт",
    "Бейсен",
    "Мамыт",
    "Жүсіп",
    "Қали",
    "Ізбасар",
    "Үмбет",
    "Болат",
    "Абай",
    "Тәшен",
    "Жанұзақ",
    "Сейфолла",
    "Бақыт",
    "Ғали",
    "Қожа",
    "Мырза",
    "Шора",
    "Тілеу",
    "Ораз",
    "Бекет",
    "Дәулет",
    "Арман",
    "Асқар",
    "Ерлан",
    "Ғабит",
    "Қуаныш",
    "Мақсат",
    "Нұрбол",
    "Жандос",
    "Ерік",
    "Талғат",
    "Әсет",
    "Қанат",
    "Манас",
    "Ерболат",
    "Досым",
    "Айдар",
    "Бауыр",
    "Сәбит",
    "Ербол",
    "Мейір",
    "Нұрсұлтан",
    "Тимур",
    "Әділ",
    "Бекзат",
    "Рүстем",
    "Саят",
    "Самат",
    "Азамат",
    "Ақан",
    "Әбдіқадыр",
    "Бөкей",
    "Жантөре",
    "Кәрім",
    "Мұхтар",
    "Сейдахмет",
    "Төлеу",
    "Өмір",
    "Шәкір",
];

/// The long tail of Russian surnames: the root with -ов or -ин.
const RUSSIAN_ROOTS: &[&str] = &[
    "Абрам",
    "Агап",
    "Аксен",
    "Антон",
    "Архип",
    "Бел",
    "Богдан",
    "Борис",
    "Булгак",
    "Вдов",
    "Гаврил",
    "Голуб",
    "Горб",
    "Гром",
    "Данил",
    "Демид",
    "Ермол",
    "Ефим",
    "Жук",
    "Зим",
    "Игнат",
    "Кирил",
    "Клим",
    "Комар",
    "Корн",
    "Крыл",
    "Кудр",
    "Ларион",
    "Лукьян",
    "Мартын",
    "Мирон",
    "Наум",
    "Нестер",
    "Никит",
    "Осип",
    "Павл",
    "Панкрат",
    "Пахом",
    "Прохор",
    "Родион",
    "Сав",
    "Самойл",
    "Сидор",
    "Тарас",
    "Тихон",
    "Труб",
    "Устин",
    "Филат",
    "Фом",
    "Харит",
    "Хром",
    "Шар",
    "Щегл",
    "Юд",
    "Яков",
    "Ярош",
];

/// Surnames given to a handful of clients only, for the rare-name search.
const RARE_SURNAMES: &[&str] = &["Шәкәрімов", "Әуезов", "Оңғарбаев", "Цзян", "Вайнштейн"];

const KAZAKH_MEN: &[&str] = &[
    "Ерлан",
    "Нұрлан",
    "Асхат",
    "Бауыржан",
    "Дәурен",
    "Ерболат",
    "Жандос",
    "Қайрат",
    "Марат",
    "Серік",
    "Талғат",
    "Әлібек",
    "Ержан",
    "Мұхтар",
    "Айдос",
    "Арман",
    "Бекзат",
    "Данияр",
    "Ерасыл",
    "Нұржан",
    "Ақжол",
    "Темірлан",
    "Алихан",
    "Рустам",
    "Тимур",
];
const KAZAKH_WOMEN: &[&str] = &[
    "Айгүл",
    "Әлия",
    "Гүлнар",
    "Жанар",
    "Динара",
    "Мадина",
    "Айжан",
    "Ақмарал",
    "Салтанат",
    "Назерке",
    "Аружан",
    "Балжан",
    "Гүлмира",
    "Жұлдыз",
    "Сәуле",
    "Ләззат",
    "Айнұр",
    "Мөлдір",
    "Перизат",
    "Томирис",
    "Дана",
    "Камила",
    "Асель",
    "Индира",
    "Алия",
];
const OTHER_MEN: &[&str] = &[
    "Александр",
    "Сергей",
    "Андрей",
    "Дмитрий",
    "Алексей",
    "Владимир",
    "Николай",
    "Евгений",
    "Игорь",
    "Артём",
    "Максим",
    "Иван",
    "Олег",
    "Виктор",
    "Юрий",
];
const OTHER_WOMEN: &[&str] = &[
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Юлия",
    "Людмила",
    "Галина",
    "Алёна",
    "Оксана",
    "Дарья",
];
/// Patronymics as (son, daughter), Russian-style forms of Kazakh fathers' names and Kazakh ones.
const KAZAKH_PATRONYMICS: &[(&str, &str)] = &[
    ("Серикович", "Сериковна"),
    ("Ерланович", "Ерлановна"),
    ("Маратович", "Маратовна"),
    ("Кайратович", "Кайратовна"),
    ("Болатович", "Болатовна"),
    ("Нурланович", "Нурлановна"),
    ("Бакытович", "Бакытовна"),
    ("Асқарович", "Асқаровна"),
    ("Талғатович", "Талғатовна"),
    ("Ерболович", "Ерболовна"),
    ("Серікұлы", "Серікқызы"),
    ("Болатұлы", "Болатқызы"),
    ("Нұрланұлы", "Нұрланқызы"),
    ("Жақсылықұлы", "Жақсылыққызы"),
];
const OTHER_PATRONYMICS: &[(&str, &str)] = &[
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Владимирович", "Владимировна"),
    ("Николаевич", "Николаевна"),
    ("Иванович", "Ивановна"),
    ("Викторович", "Викторовна"),
    ("Петрович", "Петровна"),
    ("Михайлович", "Михайловна"),
    ("Юрьевич", "Юрьевна"),
    ("Анатольевич", "Анатольевна"),
];
const CITIES: &[&str] = &[
    "г. Алматы",
    "г. Астана",
    "г. Шымкент",
    "г. Караганда",
    "г. Талдыкорган",
    "г. Тараз",
    "Алматинская обл., г. Каскелен",
    "Алматинская обл., пос. Отеген батыра",
];
const STREETS: &[&str] = &[
    "ул. Абая",
    "пр. Аль-Фараби",
    "ул. Жолдасбекова",
    "мкр. Самал-2",
    "ул. Толе би",
    "ул. Сейфуллина",
    "мкр. Аксай-4",
    "ул. Райымбека",
];
const EMPLOYERS: &[(&str, &str)] = &[
    ("ТОО «Алматы Тауарлары»", "продавец"),
    ("ИП Ахметова", "бухгалтер"),
    ("КГУ «Школа-гимназия № 12»", "учитель"),
    ("АО «Казпочта»", "оператор"),
    ("ТОО «Строй Сервис»", "прораб"),
];
const PURPOSES: &[&str] = &[
    "ремонт жилья",
    "пополнение оборотных средств",
    "покупка скота",
    "лечение",
    "обучение",
    "покупка бытовой техники",
    "покупка автомобиля",
];
const MOBILE_CODES: &[&str] = &[
    "700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
}

fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The female form of a male surname (invariable ones stay as they are).
fn female(surname: &str) -> String {
    if let Some(stem) = surname.strip_suffix("ұлы") {
        return format!("{stem}қызы");
    }
    if let Some(stem) = surname.strip_suffix("ский") {
        return format!("{stem}ская");
    }
    if ["ов", "ев", "ёв", "ин", "ын"]
        .iter()
        .any(|s| surname.ends_with(s))
    {
        return format!("{surname}а");
    }
    surname.to_owned()
}

struct Names {
    kazakh: Vec<f64>,
    other: Vec<f64>,
}

/// Client `i`: a valid record, with its registration time within the past year.
fn client(i: usize, rng: &mut Rng, names: &Names, iins: &mut HashSet<String>) -> Client {
    let kazakh = rng.chance(75);
    let sex = if rng.chance(55) {
        Sex::Female
    } else {
        Sex::Male
    };
    let tail: String;
    let male_surname = if i % 5_000 == 7 {
        // One client in 5 000: each rare surname goes to 4 of the 100 000.
        RARE_SURNAMES[(i / 5_000) % RARE_SURNAMES.len()]
    } else if kazakh && rng.chance(10) {
        KAZAKH_SURNAMES[rng.zipf(&names.kazakh)]
    } else if kazakh {
        let root = KAZAKH_ROOTS[rng.below(KAZAKH_ROOTS.len())];
        tail = match rng.below(4) {
            0 => match root.strip_suffix('й') {
                Some(stem) => format!("{stem}ев"),
                None if root.ends_with(['а', 'е', 'и', 'і', 'ы', 'о', 'у', 'ұ', 'ү', 'ә', 'ө']) =>
                {
                    format!("{root}ев")
                }
                None => format!("{root}ов"),
            },
            1 => format!("{root}беков"),
            2 => format!("{root}жанов"),
            _ => format!("{root}баев"),
        };
        &tail
    } else if rng.chance(10) {
        OTHER_SURNAMES[rng.zipf(&names.other)]
    } else {
        let root = RUSSIAN_ROOTS[rng.below(RUSSIAN_ROOTS.len())];
        tail = format!("{root}{}", if rng.chance(50) { "ов" } else { "ин" });
        &tail
    };
    let (given, patronymics) = match (kazakh, sex) {
        (true, Sex::Male) => (KAZAKH_MEN[rng.below(KAZAKH_MEN.len())], KAZAKH_PATRONYMICS),
        (true, Sex::Female) => (
            KAZAKH_WOMEN[rng.below(KAZAKH_WOMEN.len())],
            KAZAKH_PATRONYMICS,
        ),
        (false, Sex::Male) => (OTHER_MEN[rng.below(OTHER_MEN.len())], OTHER_PATRONYMICS),
        (false, Sex::Female) => (OTHER_WOMEN[rng.below(OTHER_WOMEN.len())], OTHER_PATRONYMICS),
    };
    let surname = match sex {
        Sex::Male => male_surname.to_owned(),
        Sex::Female => female(male_surname),
    };
    let patronymic = if rng.chance(8) {
        String::new()
    } else {
        let (son, daughter) = patronymics[rng.below(patronymics.len())];
        match sex {
            Sex::Male => son.to_owned(),
            Sex::Female => daughter.to_owned(),
        }
    };
    // Born 1955-2005; a distinct, issuable IIN.
    let (birth, iin) = loop {
        let birth = NaiveDate::from_ymd_opt(1955, 1, 1).expect("date")
            + chrono::Duration::days(rng.below(51 * 365) as i64);
        if let Some(iin) = Iin::compose(birth, sex, rng.below(10_000) as u32).map(String::from)
            && iins.insert(iin.clone())
        {
            break (birth, iin);
        }
    };
    let sixteen = birth
        .with_year(birth.year() + 16)
        .unwrap_or(birth + chrono::Duration::days(16 * 365));
    let issued = (NaiveDate::from_ymd_opt(2017, 1, 1).expect("date")
        + chrono::Duration::days(rng.below(9 * 365) as i64))
    .max(sixteen);
    let expires = issued + chrono::Duration::days(10 * 365);
    // Distinct 7-digit subscriber numbers: i times a multiplier coprime to 10^7.
    let subscriber = (i as u64 * 3_137_071 + 1_234_567) % 10_000_000;
    let phone = format!(
        "8{}{subscriber:07}",
        MOBILE_CODES[rng.below(MOBILE_CODES.len())]
    );
    let city = CITIES[rng.below(CITIES.len())];
    let address = format!(
        "{city}, {}, д. {}, кв. {}",
        STREETS[rng.below(STREETS.len())],
        1 + rng.below(200),
        1 + rng.below(150)
    );
    let (employer, position) = if rng.chance(70) {
        EMPLOYERS[rng.below(EMPLOYERS.len())]
    } else {
        ("", "")
    };
    let form = ClientForm {
        iin,
        surname,
        given_name: given.to_owned(),
        patronymic,
        birth_date: date(birth),
        sex: Some(sex),
        phone,
        email: if rng.chance(20) {
            format!("client{i}@mail.kz")
        } else {
            String::new()
        },
        registration_address: address.clone(),
        actual_address: if rng.chance(80) {
            address
        } else {
            format!("{city}, мкр. Орбита-3, д. {}", 1 + rng.below(40))
        },
        document_kind: Some(DocumentKind::IdCard),
        document_number: format!("{:09}", 40_000_000 + i),
        document_issuer: "МВД РК".into(),
        document_issued_on: date(issued),
        document_expires_on: date(expires),
        employer: employer.into(),
        position: position.into(),
        monthly_income: (150_000 + 5_000 * rng.below(150)).to_string(),
    };
    domain::client::check(&form, today())
        .unwrap_or_else(|p| panic!("client {i} must be valid: {p:?}"))
}

/// A pool of valid terms over the three shipped products.
fn terms_pool(rng: &mut Rng) -> Vec<Terms> {
    let catalog =
        domain::catalog::Catalog::from_json(include_str!("../../../../config/catalog.json"))
            .expect("shipped catalog");
    let mut pool = Vec::new();
    while pool.len() < 200 {
        let (product, amount, months) = match rng.below(10) {
            0..=5 => (
                "consumer-12",
                50_000 + 10_000 * rng.below(150),
                3 + rng.below(34),
            ),
            6..=8 => (
                "business-24",
                300_000 + 50_000 * rng.below(100),
                6 + rng.below(55),
            ),
            _ => ("short-1", 10_000 + 5_000 * rng.below(29), 1),
        };
        let form = ApplicationForm {
            product_id: product.into(),
            amount: amount.to_string(),
            months: months as u32,
            method: Some(if product == "short-1" || rng.chance(70) {
                Method::Annuity
            } else {
                Method::EqualPrincipal
            }),
            purpose: PURPOSES[rng.below(PURPOSES.len())].into(),
        };
        if let Ok(t) = domain::application::check(&form, &catalog, today()) {
            pool.push(t);
        }
    }
    pool
}

/// The steps after creation for an application, by share of the book.
fn steps(rng: &mut Rng) -> Vec<Step> {
    use Step::*;
    match rng.below(100) {
        0..=5 => vec![],
        6..=7 => vec![Submit],
        8 => vec![Submit, Refer],
        9..=10 => vec![Submit, Approve],
        11..=28 => vec![Submit, Decline],
        29..=31 => vec![Submit, Return],
        32..=33 => vec![Submit, Approve, IssueOffer],
        34..=94 => vec![Submit, Approve, IssueOffer, Sign],
        _ => vec![Submit, Return, Revise, Submit, Approve, IssueOffer, Sign],
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 11, 25, 4, 0, 0)
        .single()
        .expect("time")
}

fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.to_owned())
}

/// (p50, p99) of the samples.
fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let p99 = (v.len() * 99).div_ceil(100) - 1;
    (v[v.len() / 2], v[p99])
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Times `f` `n` times (after a few untimed runs) and prints the row.
fn measure(label: &str, target_ms: f64, n: usize, mut f: impl FnMut(usize)) {
    for i in 0..WARM_UP {
        f(i);
    }
    let samples: Vec<Duration> = (0..n)
        .map(|i| {
            let t = Instant::now();
            f(WARM_UP + i);
            t.elapsed()
        })
        .collect();
    row(label, samples, target_ms);
}

fn row(label: &str, samples: Vec<Duration>, target_ms: f64) {
    let n = samples.len();
    let (p50, p99) = percentiles(samples);
    let met = if p99.as_secs_f64() * 1000.0 < target_ms {
        "yes"
    } else {
        "**no**"
    };
    println!(
        "| {label} (n={n}) | {} | {} | < {target_ms} ms | {met} |",
        ms(p50),
        ms(p99)
    );
}

/// Like [`measure`] for saves ([`SAVES`] of them, target 15 ms), then the same samples split by
/// whether the commit also ran SQLite's WAL auto-checkpoint (the only writer of `vault.db` itself
/// in WAL mode, so its modification time tells).
fn measure_saves(label: &str, db: &Path, mut f: impl FnMut(usize)) {
    let modified = || {
        std::fs::metadata(db)
            .and_then(|m| m.modified())
            .expect("vault.db")
    };
    for i in 0..WARM_UP {
        f(i);
    }
    let (mut all, mut checkpoint, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..SAVES {
        let before = modified();
        let t = Instant::now();
        f(WARM_UP + i);
        let d = t.elapsed();
        all.push(d);
        if modified() == before {
            other.push(d);
        } else {
            checkpoint.push(d);
        }
    }
    row(label, all, 15.0);
    for (part, samples) in [
        ("commits that also ran the WAL checkpoint", checkpoint),
        ("the other commits", other),
    ] {
        if samples.is_empty() {
            continue;
        }
        let n = samples.len();
        let (p50, p99) = percentiles(samples);
        println!(
            "| … of which {part} (n={n}) | {} | {} | | |",
            ms(p50),
            ms(p99)
        );
    }
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .expect("read dir")
        .map(|e| e.expect("entry").metadata().expect("metadata").len())
        .sum()
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let keychain = Keychain::mock().expect("mock keychain");
    let now = Utc::now();
    let mut admin = Vault::create(
        &dir,
        &keychain,
        "Әлия Қасымова",
        &pass("benchmark admin passphrase"),
        None,
        now,
    )
    .expect("create");
    let admin_id = admin.officer().id.clone();
    let officer = admin
        .add_officer("Ержан", Role::Officer, &pass("officer passphrase"), now)
        .expect("officer")
        .id;
    let supervisor = admin
        .add_officer(
            "Гүлнар",
            Role::Supervisor,
            &pass("supervisor passphrase"),
            now,
        )
        .expect("supervisor")
        .id;

    // Build the records (not timed as seeding: that is the vault's part).
    let t = Instant::now();
    let mut rng = Rng(4);
    let names = Names {
        kazakh: zipf_table(KAZAKH_SURNAMES.len()),
        other: zipf_table(OTHER_SURNAMES.len()),
    };
    let year = 365 * 24 * 60;
    let mut iins = HashSet::with_capacity(CLIENTS);
    let clients: Vec<(Client, DateTime<Utc>)> = (0..CLIENTS)
        .map(|i| {
            let c = client(i, &mut rng, &names, &mut iins);
            (
                c,
                start() + chrono::Duration::minutes(rng.below(year) as i64),
            )
        })
        .collect();
    let pool = terms_pool(&mut rng);
    let applications: Vec<SeedApplication> = (0..APPLICATIONS)
        .map(|_| {
            let client = rng.below(CLIENTS);
            let registered = clients[client].1;
            let left = (start() + chrono::Duration::minutes(year as i64) - registered)
                .num_minutes()
                .max(1) as usize;
            SeedApplication {
                client,
                terms: pool[rng.below(pool.len())].clone(),
                steps: steps(&mut rng),
                created: registered + chrono::Duration::minutes(rng.below(left) as i64),
            }
        })
        .collect();
    let built = t.elapsed();

    let t = Instant::now();
    let seeded = vault::bench::seed(&mut admin, &clients, &applications, &officer, &supervisor)
        .expect("seed");
    let seeding = t.elapsed();
    let audit = admin.audit_len().expect("audit");
    drop(admin);
    let size = dir_size(dir.path());
    let db = std::fs::metadata(dir.path().join("vault.db"))
        .expect("vault.db")
        .len();

    let mut v = Vault::unlock(
        &dir,
        &keychain,
        &officer,
        &pass("officer passphrase"),
        chrono::Utc::now(),
    )
    .expect("unlock as officer");

    println!("| seeded | result |");
    println!("|---|---|");
    println!(
        "| records | {CLIENTS} clients, {APPLICATIONS} applications ({} version rows), {audit} audit entries |",
        seeded.application_rows
    );
    println!(
        "| building the records (`domain::client::check`, terms) | {:.1} s |",
        built.as_secs_f64()
    );
    println!(
        "| seeding them into the vault, one transaction + checkpoint | {:.1} s |",
        seeding.as_secs_f64()
    );
    println!(
        "| vault folder after seeding (vault.db {}) | {} |",
        mib(db),
        mib(size)
    );
    let largest: Vec<String> = vault::bench::space_used(&v)
        .expect("dbstat")
        .into_iter()
        .take(6)
        .map(|(name, bytes)| format!("{name} {}", mib(bytes)))
        .collect();
    println!("| largest tables and indexes | {} |", largest.join(", "));
    println!();
    println!("| measure | p50 | p99 | target (p99) | met? |");
    println!("|---|---|---|---|---|");

    let mut pick = Rng(99);
    let random_iins: Vec<&str> = (0..SAMPLES + WARM_UP)
        .map(|_| clients[pick.below(CLIENTS)].0.iin.as_str())
        .collect();
    measure(
        "IIN lookup: `client_id_by_iin`, registered IIN",
        2.0,
        SAMPLES,
        |i| {
            assert!(
                v.client_id_by_iin(random_iins[i])
                    .expect("lookup")
                    .is_some()
            );
        },
    );
    measure(
        "IIN lookup: `client_id_by_iin`, unregistered IIN (the add-client check)",
        2.0,
        SAMPLES,
        |i| {
            let iin = Iin::compose(
                NaiveDate::from_ymd_opt(1950, 1, 1 + (i % 28) as u32).expect("date"),
                Sex::Male,
                i as u32,
            )
            .map(String::from)
            .unwrap_or_else(|| "500101300011".into());
            assert!(v.client_id_by_iin(&iin).expect("lookup").is_none());
        },
    );
    measure(
        "IIN lookup: search box, 12 digits (`ClientQuery::parse`)",
        2.0,
        SAMPLES,
        |i| {
            let page = v
                .search_clients(&ClientQuery::parse(random_iins[i]), None, PAGE)
                .expect("search");
            assert_eq!(page.items.len(), 1);
        },
    );
    // What the search box should find, counted from the seeded records themselves.
    let count = |query: &ClientQuery| -> usize {
        clients
            .iter()
            .filter(|(c, _)| {
                let phone: String = c
                    .phone
                    .as_str()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                match query {
                    ClientQuery::All => true,
                    ClientQuery::TooShort => false,
                    ClientQuery::Digits(d) => {
                        let as_phone = match d.strip_prefix('8') {
                            Some(rest) => format!("7{rest}"),
                            None => d.clone(),
                        };
                        c.iin.as_str().starts_with(d.as_str()) || phone.starts_with(&as_phone)
                    }
                    ClientQuery::Phone(d) => phone.starts_with(d.as_str()),
                    ClientQuery::Name(words) => {
                        let key = domain::client::name_key(&c.full_name());
                        let parts: Vec<&str> = key.split(' ').collect();
                        words
                            .iter()
                            .all(|w| parts.iter().any(|p| p.starts_with(w.as_str())))
                    }
                }
            })
            .count()
    };
    for (label, q) in [
        ("name: common surname prefix", "Қасым"),
        ("name: most common surname prefix", "Ахмет"),
        ("name: \"surname given\" pair", "Ахметова Айгүл"),
        ("name: given name only", "Айгүл"),
        ("name: rare surname", "Шәкәрім"),
        ("name: first keystroke, one letter (too short)", "а"),
        ("name: two letters", "ер"),
        ("name: three letters", "сер"),
        ("name: three letters", "ерл"),
        ("digits: first keystroke, a phone typed 8… (too short)", "8"),
        ("digits: phone typed 8 and the operator code", "8701"),
        ("digits: IIN birth year and month", "9001"),
        ("digits: IIN birth date", "900101"),
        ("phone typed with +7 and the operator code", "+7 701"),
    ] {
        let query = ClientQuery::parse(q);
        let n = count(&query);
        measure(
            &format!("search box, {label} «{q}» ({n} matches), first page"),
            20.0,
            SEARCHES,
            |_| {
                let page = v.search_clients(&query, None, PAGE).expect("search");
                assert_eq!(page.items.len(), n.min(PAGE as usize));
            },
        );
    }

    // All clients, page after page: every page's time, then a page deep in the list.
    let mut pages = Vec::new();
    let mut cursors = Vec::new();
    let mut after: Option<String> = None;
    let mut seen = 0;
    loop {
        let t = Instant::now();
        let page = v
            .search_clients(&ClientQuery::All, after.as_deref(), PAGE)
            .expect("page");
        pages.push(t.elapsed());
        seen += page.items.len();
        match page.next {
            Some(n) => {
                cursors.push(n.clone());
                after = Some(n);
            }
            None => break,
        }
    }
    assert_eq!(seen, CLIENTS, "the pages cover every client once");
    measure(
        "client list: first page (empty search box)",
        10.0,
        SAMPLES,
        |_| {
            v.search_clients(&ClientQuery::All, None, PAGE)
                .expect("page");
        },
    );
    let deep = &cursors[cursors.len() * 3 / 4];
    measure(
        "client list: a page 3/4 into the list (keyset cursor)",
        10.0,
        SAMPLES,
        |_| {
            v.search_clients(&ClientQuery::All, Some(deep), PAGE)
                .expect("page");
        },
    );
    row(
        &format!("client list: every page in turn, {} pages", pages.len()),
        pages,
        10.0,
    );

    let all = ApplicationFilter::default();
    measure(
        "applications: first page, unfiltered",
        10.0,
        SAMPLES,
        |_| {
            v.applications(&all, None, PAGE).expect("list");
        },
    );
    let mut app_cursor = None;
    for _ in 0..1000 {
        app_cursor = v
            .applications(&all, app_cursor.as_deref(), PAGE)
            .expect("list")
            .next;
    }
    let app_cursor = app_cursor.expect("more than 1000 pages");
    measure(
        "applications: page 1001, unfiltered (keyset cursor)",
        10.0,
        SAMPLES,
        |_| {
            v.applications(&all, Some(&app_cursor), PAGE).expect("list");
        },
    );
    let app_clients: Vec<String> = (0..SAMPLES + WARM_UP)
        .map(|_| seeded.client_ids[applications[pick.below(APPLICATIONS)].client].clone())
        .collect();
    measure(
        "applications of one client (client card, up to 200)",
        10.0,
        SAMPLES,
        |i| {
            let f = ApplicationFilter {
                client_id: Some(vault::ClientId::from(app_clients[i].clone())),
                stage: None,
            };
            assert!(
                !v.applications(&f, None, CARD)
                    .expect("list")
                    .items
                    .is_empty()
            );
        },
    );
    for stage in [Stage::Submitted, Stage::Draft, Stage::Signed] {
        let f = ApplicationFilter {
            client_id: None,
            stage: Some(stage),
        };
        let first = v.applications(&f, None, PAGE).expect("list");
        measure(
            &format!("applications: first page, stage {}", stage.as_str()),
            10.0,
            SAMPLES,
            |_| {
                v.applications(&f, None, PAGE).expect("list");
            },
        );
        if let Some(next) = first.next {
            measure(
                &format!("applications: second page, stage {}", stage.as_str()),
                10.0,
                SAMPLES,
                |_| {
                    v.applications(&f, Some(&next), PAGE).expect("list");
                },
            );
        }
    }

    // Saving: each call its own transaction, committed with synchronous=FULL.
    let db_file = dir.path().join("vault.db");
    let mut created = Vec::with_capacity(SAVES + WARM_UP);
    let mut clock = Utc::now();
    measure_saves(
        "save: `create_application` (new draft, own transaction, fsync)",
        &db_file,
        |_| {
            clock += chrono::Duration::seconds(1);
            let client = &seeded.client_ids[pick.below(CLIENTS)];
            let terms = &pool[pick.below(pool.len())];
            created.push(
                v.create_application(&vault::ClientId::from(client.as_str()), terms, clock)
                    .expect("create"),
            );
        },
    );
    measure_saves(
        "save: `update_draft` (own transaction, fsync)",
        &db_file,
        |i| {
            clock += chrono::Duration::seconds(1);
            let terms = &pool[pick.below(pool.len())];
            v.update_draft(&created[i % created.len()], terms, clock)
                .expect("update");
        },
    );
    assert_eq!(v.first_broken_audit_entry().expect("verify"), None);
    drop(v);

    // Rotating the data key (what disabling an officer does): the whole database re-encrypted.
    let mut admin = Vault::unlock(
        &dir,
        &keychain,
        &admin_id,
        &pass("benchmark admin passphrase"),
        Utc::now(),
    )
    .expect("unlock as admin");
    let size = dir_size(dir.path());
    let t = Instant::now();
    admin.rekey(Utc::now()).expect("rekey");
    let took = t.elapsed();
    println!(
        "| rekey: `Vault::rekey` of this vault ({}), one run | {} |",
        mib(size),
        ms(took)
    );
    assert!(
        admin.verify_audit().expect("verify").intact(),
        "the rotation keeps the chain intact"
    );
    drop(admin);
    let t = Instant::now();
    let v = Vault::unlock(
        &dir,
        &keychain,
        &officer,
        &pass("officer passphrase"),
        Utc::now(),
    )
    .expect("the officer unlocks with the new key");
    println!(
        "| unlock after the rekey (officer, 100 000 clients) | {} |",
        ms(t.elapsed())
    );
    drop(v);
}
