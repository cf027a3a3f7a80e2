//! Exact decimal numbers for number fields and their limits, so `0.1 + 0.2` surprises never happen.
//!
//! A [`Decimal`] is kept as its digits, never as a float: `"12.50"` is stored as `12.5`,
//! compared digit by digit, and serialised as the JSON string `"12.5"`. It deserialises from
//! a JSON string or a JSON number; a JSON number that is not an integer passes through `f64`
//! first (that is how `serde_json` reads it), so a browser should send exact values as
//! strings.

use std::cmp::Ordering;
use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// The longest accepted decimal text, in characters (sign and point included).
pub const MAX_DECIMAL_LEN: usize = 40;

/// A decimal number in plain notation (`-12.5`), normalised: no leading zeros in the integer
/// part, no trailing zeros in the fraction, and no negative zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros; `"0"` for zero.
    int: String,
    /// Fraction digits without trailing zeros; empty for whole numbers.
    frac: String,
}

/// Why a text is not a decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a decimal number in plain notation such as -12.5")]
pub struct DecimalError;

impl Decimal {
    /// Parses plain decimal notation: an optional sign, digits, and optionally a point
    /// followed by digits (`"42"`, `"-0.5"`, `"+3.14"`). Surrounding whitespace is ignored;
    /// exponents, thousands separators and a bare point (`".5"`, `"5."`) are not accepted.
    ///
    /// # Errors
    /// [`DecimalError`] for anything else, or for text longer than [`MAX_DECIMAL_LEN`].
    pub fn parse(s: &str) -> Result<Self, DecimalError> {
        let s = s.trim();
        if s.len() > MAX_DECIMAL_LEN {
            return Err(DecimalError);
        }
        let (negative, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match rest.split_once('.') {
            Some((i, f)) => (i, f),
            None => (rest, ""),
        };
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || (rest.contains('.') && !digits(frac)) {
            return Err(DecimalError);
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let is_zero = int == "0" && frac.is_empty();
        Ok(Self {
            negative: negative && !is_zero,
            int: int.to_owned(),
            frac: frac.to_owned(),
        })
    }

    /// Reads a JSON number or a JSON string holding a decimal.
    ///
    /// # Errors
    /// [`DecimalError`] for other JSON values, and for numbers that are not finite or too long.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, DecimalError> {
        match value {
            serde_json::Value::String(s) => Self::parse(s),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Self::parse(&i.to_string())
                } else if let Some(u) = n.as_u64() {
                    Self::parse(&u.to_string())
                } else {
                    Self::from_f64(n.as_f64().ok_or(DecimalError)?)
                }
            }
            _ => Err(DecimalError),
        }
    }

    /// Converts a float by its shortest round-trip text (Rust's `Display` never uses exponents).
    fn from_f64(f: f64) -> Result<Self, DecimalError> {
        if f.is_finite() {
            Self::parse(&f.to_string())
        } else {
            Err(DecimalError)
        }
    }

    /// How many digits follow the decimal point once trailing zeros are dropped.
    #[must_use]
    pub fn decimals(&self) -> usize {
        self.frac.len()
    }

    /// The nearest `f64`, for display or arithmetic where exactness does not matter.
    #[must_use]
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Compares magnitudes, ignoring sign.
    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| {
                let width = self.frac.len().max(other.frac.len());
                let a = format!("{:0<width$}", self.frac);
                let b = format!("{:0<width$}", other.frac);
                a.cmp(&b)
            })
    }
}

#[cfg(feature = "openapi")]
crate::openapi::manual_schema!(
    Decimal,
    crate::openapi::string_or_number(
        r"^[+-]?[0-9]+(\.[0-9]+)?$",
        "A decimal number in plain notation; written as a string, read from a string or a number"
    )
);

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(&self.int)?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(s: &str) -> Result<Self, DecimalError> {
        Self::parse(s)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl de::Visitor<'_> for Visitor {
            type Value = Decimal;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number or a string such as \"12.5\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
                Decimal::parse(v).map_err(E::custom)
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Decimal::parse(&v.to_string()).map_err(E::custom)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Decimal::parse(&v.to_string()).map_err(E::custom)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
                Decimal::from_f64(v).map_err(E::custom)
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn parsing_normalises() {
        assert_eq!(d("007").to_string(), "7");
        assert_eq!(d("12.50").to_string(), "12.5");
        assert_eq!(d("-0.00").to_string(), "0");
        assert_eq!(d("+3.14").to_string(), "3.14");
        assert_eq!(d(" 0.10 ").decimals(), 1);
        assert_eq!(d("-0.5").to_string(), "-0.5");
    }

    #[test]
    fn malformed_text_is_rejected() {
        for s in [
            "", "-", ".5", "5.", "1e3", "1,000", "1.2.3", "abc", "--1", "0x10", "NaN",
        ] {
            assert!(Decimal::parse(s).is_err(), "{s:?}");
        }
        assert!(Decimal::parse(&"9".repeat(41)).is_err());
    }

    #[test]
    fn ordering_is_exact() {
        assert!(d("0.3") > d("0.29999999999999999999"));
        assert!(d("-1") < d("0"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("10") > d("9.999"));
        assert_eq!(d("1.0").cmp(&d("1")), Ordering::Equal);
        assert!(d("100") > d("99"));
    }

    #[test]
    fn json_numbers_and_strings_both_work() {
        let v = serde_json::json!(0.1);
        assert_eq!(Decimal::from_json(&v).unwrap().to_string(), "0.1");
        let v = serde_json::json!(-42);
        assert_eq!(Decimal::from_json(&v).unwrap().to_string(), "-42");
        let v = serde_json::json!("123456789012345678901234567890.5");
        assert_eq!(
            Decimal::from_json(&v).unwrap().to_string(),
            "123456789012345678901234567890.5"
        );
        assert!(Decimal::from_json(&serde_json::json!(true)).is_err());
        assert!(Decimal::from_json(&serde_json::json!(1e300)).is_err());
        let back: Decimal = serde_json::from_str("2.5").unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), "\"2.5\"");
    }
}
