//! A client's name as the desk holds it (Cyrillic with Kazakh letters, or Latin) against the Latin
//! name of a machine-readable zone.
//!
//! Russian letters follow ICAO Doc 9303's transliteration (Part 3, section 6), with the older
//! spellings still printed on documents (Х as H, Й and Ы as Y, Ю and Я as YU and YA). Kazakh
//! letters have no fixed Latin form, so each has the few forms Kazakh documents use (Қ as K or Q,
//! Ә as A or AE, …). A name matches when some choice of these forms spells the zone's name
//! exactly; one letter off is "close" (a misreading or another spelling: the officer compares by
//! eye); anything else does not match.

use serde::Serialize;

/// How a name compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMatch {
    /// Spelled exactly by a transliteration.
    Same,
    /// One letter from a transliteration: compare by eye.
    Close,
    /// Not this name.
    Different,
}

/// The Latin forms of one upper-case letter; `None` for a letter not in the tables.
fn forms(c: char) -> Option<&'static [&'static str]> {
    Some(match c {
        'А' => &["A"],
        'Б' => &["B"],
        'В' => &["V"],
        'Г' => &["G"],
        'Д' => &["D"],
        'Е' => &["E", "YE"],
        'Ё' => &["E", "YO"],
        'Ж' => &["ZH", "J"],
        'З' => &["Z"],
        'И' => &["I"],
        'Й' => &["I", "Y"],
        'К' => &["K"],
        'Л' => &["L"],
        'М' => &["M"],
        'Н' => &["N"],
        'О' => &["O"],
        'П' => &["P"],
        'Р' => &["R"],
        'С' => &["S"],
        'Т' => &["T"],
        'У' => &["U"],
        'Ф' => &["F"],
        'Х' => &["KH", "H"],
        'Ц' => &["TS", "C"],
        'Ч' => &["CH"],
        'Ш' => &["SH"],
        'Щ' => &["SHCH"],
        'Ъ' => &["IE", ""],
        'Ы' => &["Y", "I"],
        'Ь' => &[""],
        'Э' => &["E"],
        'Ю' => &["IU", "YU"],
        'Я' => &["IA", "YA"],
        // Kazakh letters.
        'Ә' => &["A", "AE"],
        'Ғ' => &["G", "GH"],
        'Қ' => &["K", "Q"],
        'Ң' => &["N", "NG"],
        'Ө' => &["O", "OE"],
        'Ұ' => &["U"],
        'Ү' => &["U", "UE"],
        'Һ' => &["H", "KH"],
        'І' => &["I"],
        // Separators become the zone's single space.
        ' ' | '-' | '‐' | '\'' | '’' => &[" "],
        'A'..='Z' => return Some(LATIN[(c as usize) - ('A' as usize)]),
        _ => return None,
    })
}

const LATIN: [&[&str]; 26] = [
    &["A"],
    &["B"],
    &["C"],
    &["D"],
    &["E"],
    &["F"],
    &["G"],
    &["H"],
    &["I"],
    &["J"],
    &["K"],
    &["L"],
    &["M"],
    &["N"],
    &["O"],
    &["P"],
    &["Q"],
    &["R"],
    &["S"],
    &["T"],
    &["U"],
    &["V"],
    &["W"],
    &["X"],
    &["Y"],
    &["Z"],
];

/// The zone's form of a name: upper case, words separated by single spaces.
fn zone_form(text: &str) -> String {
    text.split(|c: char| c == '<' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether some transliteration of `cyrillic` (upper case, single spaces) spells `latin` exactly,
/// or a prefix of it when `prefix` (the zone cut a longer name).
fn spells(cyrillic: &[char], latin: &[u8], prefix: bool) -> bool {
    // reachable[j]: the Latin text's first j bytes are spelled by the Cyrillic letters so far.
    let mut reachable = vec![false; latin.len() + 1];
    reachable[0] = true;
    for &c in cyrillic {
        let Some(forms) = forms(c) else {
            return false;
        };
        let mut next = vec![false; latin.len() + 1];
        for j in (0..=latin.len()).filter(|&j| reachable[j]) {
            for form in forms {
                let f = form.as_bytes();
                if latin[j..].starts_with(f) {
                    next[j + f.len()] = true;
                } else if prefix && f.starts_with(&latin[j..]) {
                    // The zone ends inside this letter's form.
                    next[latin.len()] = true;
                }
            }
        }
        if prefix && reachable[latin.len()] {
            next[latin.len()] = true;
        }
        reachable = next;
    }
    reachable[latin.len()]
}

/// ICAO's own transliteration (each letter's first form), for "close" comparisons and display.
pub fn icao(name: &str) -> String {
    let upper = zone_form(&name.to_uppercase());
    upper
        .chars()
        .map(|c| forms(c).and_then(|f| f.first().copied()).unwrap_or("?"))
        .collect()
}

/// Compares the desk's `name` with the zone's `zone` (fillers or spaces between words).
/// `truncated`: the zone's name field was full, so its name may be a cut-off prefix.
pub fn compare(name: &str, zone: &str, truncated: bool) -> NameMatch {
    let name = zone_form(&name.to_uppercase());
    let zone = zone_form(&zone.to_uppercase());
    if zone.is_empty() {
        return if name.is_empty() {
            NameMatch::Same
        } else {
            NameMatch::Different
        };
    }
    let letters: Vec<char> = name.chars().collect();
    if spells(&letters, zone.as_bytes(), truncated) {
        return NameMatch::Same;
    }
    let icao = icao(&name);
    let limit = if truncated {
        icao.len().min(zone.len())
    } else {
        icao.len()
    };
    if edit_distance(&icao.as_bytes()[..limit], zone.as_bytes()) <= 1 {
        NameMatch::Close
    } else {
        NameMatch::Different
    }
}

/// Levenshtein distance, for short names.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &y) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(x != y))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_names_follow_icao() {
        assert_eq!(icao("Щукина Юлия"), "SHCHUKINA IULIIA");
        assert_eq!(compare("Щукина", "SHCHUKINA", false), NameMatch::Same);
        assert_eq!(compare("Юлия", "IULIIA", false), NameMatch::Same);
        assert_eq!(
            compare("Юлия", "YULIYA", false),
            NameMatch::Same,
            "older spelling"
        );
        assert_eq!(compare("Хасанов", "KHASANOV", false), NameMatch::Same);
        assert_eq!(compare("Хасанов", "HASANOV", false), NameMatch::Same);
    }

    #[test]
    fn kazakh_letters_have_several_forms() {
        for zone in ["KUANYSH", "QUANYSH"] {
            assert_eq!(compare("Қуаныш", zone, false), NameMatch::Same, "{zone}");
        }
        for zone in ["ASEL", "AESEL"] {
            assert_eq!(compare("Әсел", zone, false), NameMatch::Same, "{zone}");
        }
        assert_eq!(compare("Өмірзақ", "OMIRZAK", false), NameMatch::Same);
        assert_eq!(compare("Өмірзақ", "OEMIRZAQ", false), NameMatch::Same);
        assert_eq!(compare("Ұлан", "ULAN", false), NameMatch::Same);
    }

    #[test]
    fn one_letter_off_is_close_more_is_different() {
        assert_eq!(compare("Ерлан", "ERLAM", false), NameMatch::Close);
        assert_eq!(compare("Ерлан", "ERLN", false), NameMatch::Close);
        assert_eq!(compare("Ерлан", "ASKAR", false), NameMatch::Different);
        assert_eq!(compare("Ерлан", "", false), NameMatch::Different);
    }

    #[test]
    fn a_cut_zone_name_matches_its_prefix_only_when_cut() {
        assert_eq!(compare("Жумабеков", "ZHUMABE", true), NameMatch::Same);
        assert_ne!(compare("Жумабеков", "ZHUMABE", false), NameMatch::Same);
        assert_eq!(
            compare("Щукина", "SHC", true),
            NameMatch::Same,
            "cut inside Щ"
        );
    }

    #[test]
    fn words_and_latin_names() {
        assert_eq!(compare("Анна-Мария", "ANNA MARIIA", false), NameMatch::Same);
        assert_eq!(compare("Анна-Мария", "ANNA MARIA", false), NameMatch::Close);
        assert_eq!(compare("Anna Maria", "ANNA<MARIA", false), NameMatch::Same);
        assert_eq!(compare("Anna Maria", "ANNAMARIA", false), NameMatch::Close);
    }
}
