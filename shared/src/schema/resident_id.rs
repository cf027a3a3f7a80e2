//! The 18-character mainland China resident identity card number (GB 11643-1999).
//!
//! Layout: 6-digit region code, 8-digit birth date `yyyymmdd`, 3-digit sequence (odd for men),
//! and an ISO 7064 MOD 11-2 check character (`0`-`9` or `X`). The birth date must be a real
//! date not after "today", which the caller passes in: this crate never reads the clock.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// Weights of the first 17 digits in the MOD 11-2 checksum.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder 0..=10.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A resident ID number whose syntax, check character and birth date were verified;
/// stored in upper case (`...X`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResidentId(String);

/// Why a text is not a valid resident ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    /// Not 18 characters of 17 digits plus a digit or `X`, or the region code starts with 0.
    #[error("a resident ID number has 18 characters: 17 digits and a digit or X")]
    Invalid,
    /// The check character does not match the first 17 digits.
    #[error("the check character of the resident ID number does not match")]
    Checksum,
    /// The embedded birth date is not a real date, or it lies in the future.
    #[error("the birth date in the resident ID number is not a real past date")]
    BirthDate,
}

/// The MOD 11-2 check character for 17 leading digits, or `None` if `first17` is not 17 ASCII digits.
#[must_use]
pub fn check_character(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS.get((sum % 11) as usize).copied()
}

impl ResidentId {
    /// Parses a resident ID number, accepting a lower-case `x` and surrounding whitespace.
    ///
    /// The checks run in this order: length and characters (and a region code starting 1-9),
    /// then the check character, then the birth date against `today`.
    ///
    /// # Errors
    /// The first [`ResidentIdError`] found.
    pub fn parse(input: &str, today: Date) -> Result<Self, ResidentIdError> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let well_formed = b.len() == 18
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X')
            && b[0] != b'0';
        if !well_formed {
            return Err(ResidentIdError::Invalid);
        }
        if check_character(&s[..17]) != Some(char::from(b[17])) {
            return Err(ResidentIdError::Checksum);
        }
        let birth = birth_date_of(&s[6..14]).ok_or(ResidentIdError::BirthDate)?;
        if birth > today {
            return Err(ResidentIdError::BirthDate);
        }
        Ok(Self(s))
    }

    /// The number, upper case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative region code where the number was issued.
    #[must_use]
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// The holder's date of birth.
    #[must_use]
    pub fn birth_date(&self) -> Option<Date> {
        birth_date_of(&self.0[6..14])
    }
}

/// Reads `yyyymmdd` as a calendar date.
fn birth_date_of(digits: &str) -> Option<Date> {
    let year: i32 = digits.get(0..4)?.parse().ok()?;
    let month: u8 = digits.get(4..6)?.parse().ok()?;
    let day: u8 = digits.get(6..8)?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 06 - 01);

    #[test]
    fn known_numbers_have_the_right_check_character() {
        assert_eq!(check_character("11010519491231002"), Some('X'));
        assert_eq!(check_character("11010119900307123"), Some('3'));
        assert_eq!(check_character("44030419850615001"), Some('5'));
        assert_eq!(check_character("1101011990030712"), None);
        assert_eq!(check_character("1101011990030712a"), None);
    }

    #[test]
    fn valid_numbers_parse_and_normalise() {
        let id = ResidentId::parse("11010519491231002x", TODAY).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.birth_date(), Some(date!(1949 - 12 - 31)));
        assert!(ResidentId::parse(" 110101199003071233 ", TODAY).is_ok());
        // A leap day.
        assert!(ResidentId::parse("310115200002290048", TODAY).is_ok());
    }

    #[test]
    fn wrong_check_character_is_a_checksum_error() {
        // The example often quoted in docs is not valid: its check digit should be 3.
        assert_eq!(
            ResidentId::parse("110101199003071234", TODAY),
            Err(ResidentIdError::Checksum)
        );
        assert_eq!(
            ResidentId::parse("110105194912310021", TODAY),
            Err(ResidentIdError::Checksum)
        );
    }

    #[test]
    fn malformed_numbers_are_invalid() {
        for s in [
            "",
            "11010519491231002",
            "11010519491231002X1",
            "1101051949123100XX",
            "A1010519491231002X",
            "010105194912310020",
            "11010519491231002Y",
            "１１０１０５１９４９１２３１００２X",
        ] {
            assert_eq!(
                ResidentId::parse(s, TODAY),
                Err(ResidentIdError::Invalid),
                "{s}"
            );
        }
    }

    #[test]
    fn impossible_or_future_birth_dates_fail() {
        let with_check = |first17: &str| format!("{first17}{}", check_character(first17).unwrap());
        // 30 February.
        let s = with_check("11010119900230123");
        assert_eq!(
            ResidentId::parse(&s, TODAY),
            Err(ResidentIdError::BirthDate)
        );
        // 29 February in a non-leap year.
        let s = with_check("11010119010229123");
        assert_eq!(
            ResidentId::parse(&s, TODAY),
            Err(ResidentIdError::BirthDate)
        );
        // Month 13.
        let s = with_check("11010119901301123");
        assert_eq!(
            ResidentId::parse(&s, TODAY),
            Err(ResidentIdError::BirthDate)
        );
        // Tomorrow, then today.
        let s = with_check("11010120250602123");
        assert_eq!(
            ResidentId::parse(&s, TODAY),
            Err(ResidentIdError::BirthDate)
        );
        let s = with_check("11010120250601123");
        assert!(ResidentId::parse(&s, TODAY).is_ok());
    }
}
