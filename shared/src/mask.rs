//! Masking rules that hide most of a personal value when it is shown in lists and exports.
//!
//! Every rule counts characters, not bytes, so Chinese text masks correctly, and none panics
//! on short or empty input. The rules, with `*` for each hidden character:
//!
//! | style       | example input          | output                 | rule |
//! |-------------|------------------------|------------------------|------|
//! | `none`      | `anything`             | `anything`             | unchanged |
//! | `phone`     | `13812345678`          | `138****5678`          | hide the 4 characters before the last 4; under 9 characters, `partial` |
//! | `id_number` | `110101199003071233`   | `1101**********1233`   | keep the first 4 and last 4; under 9 characters, `partial` |
//! | `name`      | `张三丰`, `John Smith` | `张**`, `J*** S****`   | keep the first character of each space-separated word; a name of initials only (`张`, `A B`) becomes all stars |
//! | `email`     | `alice@example.com`    | `a****@example.com`    | keep the first character of the local part and the whole domain; without `@`, `partial` |
//! | `partial`   | `abcdefgh`             | `ab****gh`             | keep the first and last quarter (rounded down) |
//! | `full`      | `anything`             | `******`               | always six stars, so the length does not leak |
//!
//! Apart from `none`, a non-empty input never comes back unchanged. An empty input stays
//! empty, except under `full`.

use serde::{Deserialize, Serialize};

/// How a field's value is masked for display; chosen per field in the form definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MaskStyle {
    /// Shown as entered.
    #[default]
    None,
    /// A phone number: `138****5678`.
    Phone,
    /// An identity document number: `1101**********1233`.
    IdNumber,
    /// A person's name: `张**`, `J*** S****`.
    Name,
    /// An email address: `a****@example.com`.
    Email,
    /// Anything else: the first and last quarter are kept.
    Partial,
    /// Hidden entirely, as six stars.
    #[serde(alias = "hidden")]
    Full,
}

/// What `full` masking shows for any value.
pub const FULLY_MASKED: &str = "******";

/// Masks `value` according to `style`; see the module documentation for the rules.
#[must_use]
pub fn mask(style: MaskStyle, value: &str) -> String {
    match style {
        MaskStyle::None => value.to_owned(),
        MaskStyle::Phone => mask_phone(value),
        MaskStyle::IdNumber => mask_id_number(value),
        MaskStyle::Name => mask_name(value),
        MaskStyle::Email => mask_email(value),
        MaskStyle::Partial => mask_partial(value),
        MaskStyle::Full => FULLY_MASKED.to_owned(),
    }
}

/// Keeps `head` leading and `tail` trailing characters and stars the rest.
fn keep_ends(chars: &[char], head: usize, tail: usize) -> String {
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i + tail >= n { *c } else { '*' })
        .collect()
}

fn mask_partial(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let quarter = chars.len() / 4;
    keep_ends(&chars, quarter, quarter)
}

fn mask_phone(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n < 9 {
        return mask_partial(value);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if (n - 8..n - 4).contains(&i) { '*' } else { *c })
        .collect()
}

fn mask_id_number(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 9 {
        return mask_partial(value);
    }
    keep_ends(&chars, 4, 4)
}

fn mask_word(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

fn mask_name(value: &str) -> String {
    let trimmed = value.trim();
    if trimmed.chars().count() == 1 {
        return "*".to_owned();
    }
    let masked = trimmed
        .split_whitespace()
        .map(mask_word)
        .collect::<Vec<_>>()
        .join(" ");
    // Initials only ("A B") would come back unchanged: hide them all instead.
    if !masked.is_empty() && masked == trimmed {
        return trimmed
            .chars()
            .map(|c| if c.is_whitespace() { c } else { '*' })
            .collect();
    }
    masked
}

fn mask_email(value: &str) -> String {
    match value.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() => {
            let local = if local.chars().count() == 1 {
                "*".to_owned()
            } else {
                mask_word(local)
            };
            format!("{local}@{domain}")
        }
        _ => mask_partial(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phone() {
        assert_eq!(mask(MaskStyle::Phone, "13812345678"), "138****5678");
        assert_eq!(mask(MaskStyle::Phone, "+8613812345678"), "+86138****5678");
        assert_eq!(mask(MaskStyle::Phone, "12345678"), "12****78");
        assert_eq!(mask(MaskStyle::Phone, "1"), "*");
        assert_eq!(mask(MaskStyle::Phone, ""), "");
    }

    #[test]
    fn id_number() {
        assert_eq!(
            mask(MaskStyle::IdNumber, "110101199003071233"),
            "1101**********1233"
        );
        assert_eq!(mask(MaskStyle::IdNumber, "E12345678"), "E123*5678");
        assert_eq!(mask(MaskStyle::IdNumber, "1234"), "1**4");
    }

    #[test]
    fn name() {
        assert_eq!(mask(MaskStyle::Name, "张三"), "张*");
        assert_eq!(mask(MaskStyle::Name, "张三丰"), "张**");
        assert_eq!(mask(MaskStyle::Name, "欧阳娜娜"), "欧***");
        assert_eq!(mask(MaskStyle::Name, "John Smith"), "J*** S****");
        assert_eq!(mask(MaskStyle::Name, "  Ann   Lee "), "A** L**");
        assert_eq!(mask(MaskStyle::Name, "张"), "*");
        assert_eq!(mask(MaskStyle::Name, "A B"), "* *");
        assert_eq!(mask(MaskStyle::Name, ""), "");
    }

    #[test]
    fn email() {
        assert_eq!(
            mask(MaskStyle::Email, "alice@example.com"),
            "a****@example.com"
        );
        assert_eq!(mask(MaskStyle::Email, "张三@例子.中国"), "张*@例子.中国");
        assert_eq!(mask(MaskStyle::Email, "a@example.com"), "*@example.com");
        assert_eq!(mask(MaskStyle::Email, "no-at-sign"), "no******gn");
        assert_eq!(
            mask(MaskStyle::Email, "@x"),
            "@x".chars().map(|_| '*').collect::<String>()
        );
    }

    #[test]
    fn partial_full_and_none() {
        assert_eq!(mask(MaskStyle::Partial, "abcdefgh"), "ab****gh");
        assert_eq!(mask(MaskStyle::Partial, "上海市浦东新区"), "上*****区");
        assert_eq!(mask(MaskStyle::Partial, "abc"), "***");
        assert_eq!(mask(MaskStyle::Full, "13812345678"), "******");
        assert_eq!(mask(MaskStyle::Full, ""), "******");
        assert_eq!(mask(MaskStyle::None, "张三"), "张三");
    }

    #[test]
    fn styles_serialise_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&MaskStyle::IdNumber).ok().as_deref(),
            Some("\"id_number\"")
        );
        assert_eq!(
            serde_json::from_str::<MaskStyle>("\"hidden\"").ok(),
            Some(MaskStyle::Full)
        );
    }

    const STYLES: [MaskStyle; 7] = [
        MaskStyle::None,
        MaskStyle::Phone,
        MaskStyle::IdNumber,
        MaskStyle::Name,
        MaskStyle::Email,
        MaskStyle::Partial,
        MaskStyle::Full,
    ];

    proptest! {
        #[test]
        fn masking_never_panics(s in "\\PC{0,40}", i in 0usize..7) {
            let _ = mask(STYLES[i], &s);
        }

        #[test]
        fn phone_and_id_never_leak_the_whole_value(s in "[0-9+ Xx张]{1,24}") {
            prop_assert_ne!(&mask(MaskStyle::Phone, &s), &s);
            prop_assert_ne!(&mask(MaskStyle::IdNumber, &s), &s);
            prop_assert_ne!(&mask(MaskStyle::Partial, &s), &s);
            prop_assert_eq!(mask(MaskStyle::Full, &s), FULLY_MASKED);
        }

        #[test]
        fn phone_and_id_keep_the_character_count(s in "\\PC{0,30}") {
            prop_assert_eq!(mask(MaskStyle::Phone, &s).chars().count(), s.chars().count());
            prop_assert_eq!(mask(MaskStyle::IdNumber, &s).chars().count(), s.chars().count());
        }
    }
}
