//! Email addresses and phone numbers: parsed and normalised the same way in the browser and the server.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest email address accepted, in bytes (the SMTP path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// The longest local part (before `@`), in bytes.
pub const MAX_EMAIL_LOCAL_LEN: usize = 64;

/// An email address that passed a pragmatic syntax check; the domain is lower-cased.
///
/// The check is deliberately not RFC 5322 in full: one `@`; a local part of 1 to 64 bytes
/// made of letters, digits and ``!#$%&'*+/=?^_`{|}~.-`` with no leading, trailing or doubled
/// dot; a domain with at least two labels, each 1 to 63 characters of letters, digits and
/// inner hyphens, whose last label is not all digits; 254 bytes at most overall. Non-ASCII
/// letters are allowed (internationalised addresses).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why a text is not an email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid email address")]
pub struct EmailError;

impl EmailAddress {
    /// Parses and normalises an address (surrounding whitespace trimmed, domain lower-cased).
    ///
    /// # Errors
    /// [`EmailError`] when the text breaks any rule listed on the type.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        if s.len() > MAX_EMAIL_LEN {
            return Err(EmailError);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError)?;
        if domain.contains('@') || !valid_local(local) || !valid_domain(domain) {
            return Err(EmailError);
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The normalised address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";
    !local.is_empty()
        && local.len() <= MAX_EMAIL_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || SPECIALS.contains(c)
                || (!c.is_ascii() && c.is_alphanumeric())
        })
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        let n = l.chars().count();
        (1..=63).contains(&n)
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c == '-' || c.is_alphanumeric())
    };
    labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;

    fn try_from(s: String) -> Result<Self, EmailError> {
        Self::parse(&s)
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> String {
        e.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A numbering plan a phone field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhoneFormat {
    /// A mainland China mobile number: 11 digits matching `1[3-9]\d{9}`, optionally after `+86`.
    CnMobile,
    /// Any international number in E.164 form: `+`, then 7 to 15 digits, the first 1-9.
    E164,
}

/// A phone number normalised to E.164 (`+8613800138000`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

/// Why a text is not a phone number in any accepted format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid phone number")]
pub struct PhoneError;

impl PhoneNumber {
    /// Parses a number in any of `formats`, ignoring whitespace and dashes, and normalises it
    /// to E.164. A mainland mobile number may be written with or without `+86`.
    ///
    /// # Errors
    /// [`PhoneError`] when no allowed format matches.
    pub fn parse(input: &str, formats: &[PhoneFormat]) -> Result<Self, PhoneError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if formats.contains(&PhoneFormat::CnMobile) {
            let national = compact.strip_prefix("+86").unwrap_or(&compact);
            if is_cn_mobile(national) {
                return Ok(Self(format!("+86{national}")));
            }
        }
        if formats.contains(&PhoneFormat::E164) {
            if let Some(digits) = compact.strip_prefix('+') {
                let b = digits.as_bytes();
                if (7..=15).contains(&b.len())
                    && b.iter().all(u8::is_ascii_digit)
                    && b.first().is_some_and(|d| *d != b'0')
                {
                    return Ok(Self(compact));
                }
            }
        }
        Err(PhoneError)
    }

    /// The number in E.164 form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 11-digit national number when this is a mainland China mobile number.
    #[must_use]
    pub fn cn_mobile(&self) -> Option<&str> {
        self.0.strip_prefix("+86").filter(|n| is_cn_mobile(n))
    }
}

/// True for `^1[3-9]\d{9}$`.
fn is_cn_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CN: &[PhoneFormat] = &[PhoneFormat::CnMobile];
    const INTL: &[PhoneFormat] = &[PhoneFormat::E164];
    const BOTH: &[PhoneFormat] = &[PhoneFormat::CnMobile, PhoneFormat::E164];

    #[test]
    fn mainland_mobiles_normalise_to_e164() {
        for input in [
            "13800138000",
            "+8613800138000",
            "+86 138 0013 8000",
            "138-0013-8000",
            " 138 0013 8000 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(input, CN).unwrap().as_str(),
                "+8613800138000",
                "{input}"
            );
        }
        let p = PhoneNumber::parse("19912345678", CN).unwrap();
        assert_eq!(p.cn_mobile(), Some("19912345678"));
    }

    #[test]
    fn bad_mainland_mobiles_fail() {
        for input in [
            "",
            "12800138000",
            "1380013800",
            "138001380001",
            "23800138000",
            "1380013800a",
            "+4413800138000",
            "8613800138000",
            "１３８００１３８０００",
        ] {
            assert!(PhoneNumber::parse(input, CN).is_err(), "{input}");
        }
    }

    #[test]
    fn e164_numbers() {
        assert_eq!(
            PhoneNumber::parse("+44 20 7946 0958", INTL)
                .unwrap()
                .as_str(),
            "+442079460958"
        );
        assert!(PhoneNumber::parse("+1234567", INTL).is_ok());
        assert!(PhoneNumber::parse("+123456", INTL).is_err());
        assert!(PhoneNumber::parse("+1234567890123456", INTL).is_err());
        assert!(PhoneNumber::parse("+0123456789", INTL).is_err());
        assert!(PhoneNumber::parse("442079460958", INTL).is_err());
        assert!(PhoneNumber::parse("13800138000", INTL).is_err());
        assert!(PhoneNumber::parse("+1 (555) 0100", INTL).is_err());
    }

    #[test]
    fn both_formats_accept_either() {
        assert!(PhoneNumber::parse("13800138000", BOTH).is_ok());
        assert!(PhoneNumber::parse("+33612345678", BOTH).is_ok());
        assert!(PhoneNumber::parse("+33612345678", CN).is_err());
        assert!(PhoneNumber::parse("13800138000", &[]).is_err());
    }

    #[test]
    fn pragmatic_email_check() {
        for ok in [
            "alice@example.com",
            "a.b+tag@sub.example.co.uk",
            "x@y.cn",
            "张三@例子.中国",
            "o'brien@example.ie",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            EmailAddress::parse(" Bob@Example.COM ").unwrap().as_str(),
            "Bob@example.com"
        );
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_total = format!("a@{}.com", "b".repeat(250));
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a@@example.com",
            "a@b@example.com",
            ".alice@example.com",
            "alice.@example.com",
            "al..ice@example.com",
            "alice@-example.com",
            "alice@example-.com",
            "alice@exa mple.com",
            "al ice@example.com",
            "alice@example..com",
            "alice@127.0.0.1",
            "<alice@example.com>",
            long_local.as_str(),
            long_total.as_str(),
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
