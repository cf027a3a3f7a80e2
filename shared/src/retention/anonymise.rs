//! What an answer becomes when it is anonymised: a rule per field kind, which the form
//! designer shows and the server applies. What remains no longer identifies the person
//! and stays countable for reports (birth year and province, city, year, the choice);
//! what could identify them (names, free text, phone numbers, email addresses,
//! signatures) is removed.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::schema::{FieldKind, FieldValue};

/// The rule for one field kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AnonymisationRule {
    /// Nothing is kept (free text, phone, email, signature).
    Removed,
    /// A resident ID number keeps the holder's birth year and province of issue.
    BirthYearAndProvince,
    /// An address keeps its province and city.
    CityOnly,
    /// A date keeps its year.
    YearOnly,
    /// A choice, yes/no or number is kept: on its own it names nobody.
    Kept,
}

impl AnonymisationRule {
    /// The rule for answers of `kind`.
    #[must_use]
    pub fn of(kind: &FieldKind) -> Self {
        match kind {
            FieldKind::ResidentId => Self::BirthYearAndProvince,
            FieldKind::Address => Self::CityOnly,
            FieldKind::Date => Self::YearOnly,
            FieldKind::SingleChoice { .. }
            | FieldKind::MultipleChoice { .. }
            | FieldKind::YesNo
            | FieldKind::Number { .. } => Self::Kept,
            FieldKind::ShortText
            | FieldKind::LongText
            | FieldKind::Email
            | FieldKind::Phone { .. }
            | FieldKind::Signature
            | FieldKind::Notice => Self::Removed,
        }
    }

    /// The stable JSON name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Removed => "removed",
            Self::BirthYearAndProvince => "birth_year_and_province",
            Self::CityOnly => "city_only",
            Self::YearOnly => "year_only",
            Self::Kept => "kept",
        }
    }
}

/// What is left of an anonymised answer. Stored in clear: it identifies nobody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Anonymised {
    /// From a resident ID number: the birth year and the province's two-digit code.
    BirthYearAndProvince {
        birth_year: Option<i32>,
        province_code: String,
    },
    /// From an address.
    City { province: String, city: String },
    /// From a date.
    Year { year: i32 },
    /// An answer that names nobody on its own, as it was.
    Kept {
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        value: serde_json::Value,
    },
}

impl Anonymised {
    /// What is left of `value` under its field's rule, or `None` when nothing is kept.
    #[must_use]
    pub fn of(value: &FieldValue) -> Option<Self> {
        match value {
            FieldValue::ResidentId(id) => Some(Self::BirthYearAndProvince {
                birth_year: id.birth_date().map(Date::year),
                province_code: id.region_code()[..2].to_owned(),
            }),
            FieldValue::Address(a) => Some(Self::City {
                province: a.province.clone(),
                city: a.city.clone(),
            }),
            FieldValue::Date(d) => Some(Self::Year { year: d.year() }),
            FieldValue::Choice(_)
            | FieldValue::Choices(_)
            | FieldValue::Bool(_)
            | FieldValue::Number(_) => Some(Self::Kept {
                value: value.to_answer(),
            }),
            FieldValue::Text(_)
            | FieldValue::Email(_)
            | FieldValue::Phone(_)
            | FieldValue::Signature(_) => None,
        }
    }

    /// One line for lists and exports, in Chinese or English.
    #[must_use]
    pub fn display(&self, zh: bool) -> String {
        match self {
            Self::BirthYearAndProvince {
                birth_year,
                province_code,
            } => {
                let province = province_name(province_code, zh).unwrap_or(province_code);
                match (birth_year, zh) {
                    (Some(y), true) => format!("{y} 年生 · {province}"),
                    (Some(y), false) => format!("born {y} · {province}"),
                    (None, _) => province.to_owned(),
                }
            }
            Self::City { province, city } if province == city || city.is_empty() => {
                province.clone()
            }
            Self::City { province, city } => format!("{province} {city}"),
            Self::Year { year } => {
                if zh {
                    format!("{year} 年")
                } else {
                    year.to_string()
                }
            }
            Self::Kept { value } => match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            },
        }
    }
}

/// The provinces, autonomous regions and municipalities by the first two digits of
/// their administrative code (GB/T 2260): code, Chinese, English.
const PROVINCES: &[(&str, &str, &str)] = &[
    ("11", "北京市", "Beijing"),
    ("12", "天津市", "Tianjin"),
    ("13", "河北省", "Hebei"),
    ("14", "山西省", "Shanxi"),
    ("15", "内蒙古自治区", "Inner Mongolia"),
    ("21", "辽宁省", "Liaoning"),
    ("22", "吉林省", "Jilin"),
    ("23", "黑龙江省", "Heilongjiang"),
    ("31", "上海市", "Shanghai"),
    ("32", "江苏省", "Jiangsu"),
    ("33", "浙江省", "Zhejiang"),
    ("34", "安徽省", "Anhui"),
    ("35", "福建省", "Fujian"),
    ("36", "江西省", "Jiangxi"),
    ("37", "山东省", "Shandong"),
    ("41", "河南省", "Henan"),
    ("42", "湖北省", "Hubei"),
    ("43", "湖南省", "Hunan"),
    ("44", "广东省", "Guangdong"),
    ("45", "广西壮族自治区", "Guangxi"),
    ("46", "海南省", "Hainan"),
    ("50", "重庆市", "Chongqing"),
    ("51", "四川省", "Sichuan"),
    ("52", "贵州省", "Guizhou"),
    ("53", "云南省", "Yunnan"),
    ("54", "西藏自治区", "Tibet"),
    ("61", "陕西省", "Shaanxi"),
    ("62", "甘肃省", "Gansu"),
    ("63", "青海省", "Qinghai"),
    ("64", "宁夏回族自治区", "Ningxia"),
    ("65", "新疆维吾尔自治区", "Xinjiang"),
    ("71", "台湾省", "Taiwan"),
    ("81", "香港特别行政区", "Hong Kong"),
    ("82", "澳门特别行政区", "Macao"),
];

/// The name of the province with the two-digit `code`.
#[must_use]
pub fn province_name(code: &str, zh: bool) -> Option<&'static str> {
    PROVINCES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, z, e)| if zh { *z } else { *e })
}
