//! The two languages of the product, and text that exists in both.

use serde::{Deserialize, Serialize};

/// A language of the user interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Locale {
    /// Simplified Chinese (`zh-CN`).
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English (`en`).
    #[default]
    #[serde(rename = "en")]
    En,
}

impl Locale {
    /// Every supported locale, in the order a language switch shows them.
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag of this locale.
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The locale's own name for itself, as a language switch shows it.
    #[must_use]
    pub const fn native_name(self) -> &'static str {
        match self {
            Locale::ZhCn => "简体中文",
            Locale::En => "English",
        }
    }

    /// Picks the best supported locale for a BCP 47 tag such as a browser's
    /// `navigator.language` or one entry of an `Accept-Language` header.
    ///
    /// Any Chinese tag maps to Simplified Chinese; anything else we do not know is `None`.
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Locale::ZhCn),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// Picks a locale from a list of preferred tags, falling back to English.
    #[must_use]
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Locale {
        preferred
            .into_iter()
            .find_map(Locale::from_tag)
            .unwrap_or_default()
    }
}

/// Text given in both languages of the product.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalizedText {
    /// Simplified Chinese.
    #[serde(rename = "zh-CN", default)]
    pub zh_cn: String,
    /// English.
    #[serde(default)]
    pub en: String,
}

impl LocalizedText {
    /// Text with both translations.
    #[must_use]
    pub fn new(zh_cn: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh_cn: zh_cn.into(),
            en: en.into(),
        }
    }

    /// The text in `locale`, or in the other language when that one is empty.
    #[must_use]
    pub fn get(&self, locale: Locale) -> &str {
        let (first, second) = match locale {
            Locale::ZhCn => (&self.zh_cn, &self.en),
            Locale::En => (&self.en, &self.zh_cn),
        };
        if first.trim().is_empty() {
            second
        } else {
            first
        }
    }

    /// True when neither language has any text.
    #[must_use]
    pub fn is_blank(&self) -> bool {
        self.zh_cn.trim().is_empty() && self.en.trim().is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_supported_locales() {
        assert_eq!(Locale::from_tag("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_tag("zh_TW"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_tag("ZH"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_tag("en-GB"), Some(Locale::En));
        assert_eq!(Locale::from_tag("fr-FR"), None);
        assert_eq!(Locale::from_tag(""), None);
    }

    #[test]
    fn negotiation_takes_the_first_supported_tag() {
        assert_eq!(Locale::negotiate(["fr", "zh-CN", "en"]), Locale::ZhCn);
        assert_eq!(Locale::negotiate(["de", "it"]), Locale::En);
    }

    #[test]
    fn localized_text_falls_back_to_the_other_language() {
        let t = LocalizedText::new("姓名", "");
        assert_eq!(t.get(Locale::En), "姓名");
        assert_eq!(t.get(Locale::ZhCn), "姓名");
        let t = LocalizedText::new("姓名", "Name");
        assert_eq!(t.get(Locale::En), "Name");
        assert!(!t.is_blank());
        assert!(LocalizedText::default().is_blank());
    }

    #[test]
    fn locale_serialises_as_its_tag() {
        assert_eq!(serde_json::to_string(&Locale::ZhCn).unwrap(), "\"zh-CN\"");
        assert_eq!(
            serde_json::from_str::<Locale>("\"en\"").unwrap(),
            Locale::En
        );
    }
}
