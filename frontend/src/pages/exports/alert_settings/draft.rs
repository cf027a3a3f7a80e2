//! The alert settings as the form holds them (numbers and text as typed) and the checks
//! made before sending: numbers in range, the time zone as people write it, recipients
//! one per line. Pure: tested without a browser.

use std::collections::BTreeSet;

use shared::api::alerts::{AlertRule, AlertSettings};

use super::super::NOT_A_NUMBER;

/// Issue codes of the checks made before sending.
pub(super) const OUT_OF_RANGE: &str = "out_of_range";
pub(super) const BAD_OFFSET: &str = "bad_offset";

/// The API's name of the time zone's field.
pub(super) const OFFSET_FIELD: &str = "utc_offset_minutes";

/// The largest offset from UTC, in minutes (UTC+14:00).
pub(super) const MAX_OFFSET_MINUTES: u32 = 14 * 60;

/// The number fields, by their API names, in the order of the form.
pub(super) const NUMBERS: [&str; 9] = [
    "history_multiplier",
    "history_days",
    "history_min_rows",
    "daily_row_limit",
    "work_start_hour",
    "work_end_hour",
    "reveal_burst",
    "view_burst",
    "burst_minutes",
];

/// An offset from UTC in minutes as people write it: `+08:00`, `-05:30`, `+00:00`.
#[must_use]
pub(super) fn format_utc_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let abs = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
}

/// An offset from UTC as typed (`+8`, `+08:00`, `-5:30`, `UTC+8`, a full-width colon),
/// in minutes; `None` when it is not one.
#[must_use]
pub(super) fn parse_utc_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    let text = if upper.starts_with("UTC") || upper.starts_with("GMT") {
        text.get(3..)?.trim_start()
    } else {
        text
    };
    if text.is_empty() {
        return Some(0);
    }
    let (negative, rest) = match text.chars().next()? {
        '+' | '＋' => (false, &text[text.chars().next()?.len_utf8()..]),
        '-' | '−' | '－' => (true, &text[text.chars().next()?.len_utf8()..]),
        _ => (false, text),
    };
    let (hours, minutes) = match rest.split_once([':', '：']) {
        Some((h, m)) => (h, m),
        None => (rest, "0"),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let hours: u32 = hours.parse().ok()?;
    let minutes: u32 = minutes.parse().ok()?;
    let total = hours * 60 + minutes;
    if minutes >= 60 || total > MAX_OFFSET_MINUTES {
        return None;
    }
    let total = i32::try_from(total).ok()?;
    Some(if negative { -total } else { total })
}

/// E-mail addresses as typed: one per line (commas and semicolons separate too).
#[must_use]
pub(super) fn parse_recipients(text: &str) -> Vec<String> {
    text.split(['\n', ',', ';', '，', '；'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The settings as the form holds them: numbers and text as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AlertDraft {
    /// By the API's field name (`NUMBERS`).
    pub(super) numbers: Vec<(&'static str, String)>,
    pub(super) utc_offset: String,
    pub(super) weekends_off: bool,
    pub(super) suspend_on: BTreeSet<AlertRule>,
    pub(super) webhook_url: String,
    /// A new secret, or empty to keep the one set.
    pub(super) webhook_secret: String,
    pub(super) email_to: String,
}

impl AlertDraft {
    pub(super) fn of(s: &AlertSettings) -> Self {
        let number = |field: &str| -> String {
            match field {
                "history_multiplier" => s.history_multiplier.to_string(),
                "history_days" => s.history_days.to_string(),
                "history_min_rows" => s.history_min_rows.to_string(),
                "daily_row_limit" => s.daily_row_limit.to_string(),
                "work_start_hour" => s.work_start_hour.to_string(),
                "work_end_hour" => s.work_end_hour.to_string(),
                "reveal_burst" => s.reveal_burst.to_string(),
                "view_burst" => s.view_burst.to_string(),
                "burst_minutes" => s.burst_minutes.to_string(),
                _ => String::new(),
            }
        };
        Self {
            numbers: NUMBERS.iter().map(|f| (*f, number(f))).collect(),
            utc_offset: format_utc_offset(s.utc_offset_minutes),
            weekends_off: s.weekends_off,
            suspend_on: s.suspend_on.iter().copied().collect(),
            webhook_url: s.webhook_url.clone().unwrap_or_default(),
            webhook_secret: String::new(),
            email_to: s.email_to.join("\n"),
        }
    }

    /// The number typed in `field`, or its problem pushed onto `problems`.
    fn number<T: TryFrom<u64>>(
        &self,
        field: &'static str,
        problems: &mut Vec<(&'static str, &'static str)>,
    ) -> Option<T> {
        let typed = self
            .numbers
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.trim().parse::<u64>());
        match typed {
            Some(Ok(n)) => {
                let fits = T::try_from(n).ok();
                if fits.is_none() {
                    problems.push((field, OUT_OF_RANGE));
                }
                fits
            }
            _ => {
                problems.push((field, NOT_A_NUMBER));
                None
            }
        }
    }

    /// The settings to send, or the problems under their fields. `loaded` gives the
    /// read-only parts; the server checks ranges, the address and the recipients.
    pub(super) fn settings(
        &self,
        loaded: &AlertSettings,
    ) -> Result<AlertSettings, Vec<(&'static str, &'static str)>> {
        let mut problems = Vec::new();
        let history_multiplier = self.number("history_multiplier", &mut problems);
        let history_days = self.number("history_days", &mut problems);
        let history_min_rows = self.number("history_min_rows", &mut problems);
        let daily_row_limit = self.number("daily_row_limit", &mut problems);
        let work_start_hour = self.number("work_start_hour", &mut problems);
        let work_end_hour = self.number("work_end_hour", &mut problems);
        let utc_offset_minutes = parse_utc_offset(&self.utc_offset);
        if utc_offset_minutes.is_none() {
            problems.push((OFFSET_FIELD, BAD_OFFSET));
        }
        let reveal_burst = self.number("reveal_burst", &mut problems);
        let view_burst = self.number("view_burst", &mut problems);
        let burst_minutes = self.number("burst_minutes", &mut problems);
        let (
            Some(history_multiplier),
            Some(history_days),
            Some(history_min_rows),
            Some(daily_row_limit),
            Some(work_start_hour),
            Some(work_end_hour),
            Some(utc_offset_minutes),
            Some(reveal_burst),
            Some(view_burst),
            Some(burst_minutes),
        ) = (
            history_multiplier,
            history_days,
            history_min_rows,
            daily_row_limit,
            work_start_hour,
            work_end_hour,
            utc_offset_minutes,
            reveal_burst,
            view_burst,
            burst_minutes,
        )
        else {
            return Err(problems);
        };
        let url = self.webhook_url.trim();
        Ok(AlertSettings {
            history_multiplier,
            history_days,
            history_min_rows,
            daily_row_limit,
            work_start_hour,
            work_end_hour,
            utc_offset_minutes,
            weekends_off: self.weekends_off,
            reveal_burst,
            view_burst,
            burst_minutes,
            suspend_on: self.suspend_on.iter().copied().collect(),
            webhook_url: (!url.is_empty()).then(|| url.to_owned()),
            webhook_secret: (!self.webhook_secret.trim().is_empty())
                .then(|| self.webhook_secret.clone()),
            webhook_secret_set: loaded.webhook_secret_set,
            email_to: parse_recipients(&self.email_to),
            email_available: loaded.email_available,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_read_as_people_write_them() {
        assert_eq!(parse_utc_offset("+08:00"), Some(480));
        assert_eq!(parse_utc_offset("8"), Some(480));
        assert_eq!(parse_utc_offset("UTC+8"), Some(480));
        assert_eq!(parse_utc_offset("utc -5:30"), Some(-330));
        assert_eq!(parse_utc_offset("＋08：00"), Some(480));
        assert_eq!(parse_utc_offset("−03:00"), Some(-180));
        assert_eq!(parse_utc_offset("UTC"), Some(0));
        assert_eq!(parse_utc_offset("+14:00"), Some(840));
        for bad in ["+15", "+08:60", "eight", "+8:5:0", "+123", "+08:", "GMT+"] {
            assert_eq!(parse_utc_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn offsets_are_written_with_sign_hours_and_minutes() {
        assert_eq!(format_utc_offset(480), "+08:00");
        assert_eq!(format_utc_offset(-330), "-05:30");
        assert_eq!(format_utc_offset(0), "+00:00");
        for minutes in [-720, -330, 0, 345, 480, 840] {
            assert_eq!(parse_utc_offset(&format_utc_offset(minutes)), Some(minutes));
        }
    }

    #[test]
    fn recipients_are_one_per_line() {
        assert_eq!(
            parse_recipients(" dpo@example.cn \n\nsec@example.cn, it@example.cn；\n"),
            ["dpo@example.cn", "sec@example.cn", "it@example.cn"]
        );
        assert!(parse_recipients("  \n").is_empty());
    }

    #[test]
    fn the_draft_of_the_defaults_sends_them_back() {
        let defaults = AlertSettings::default();
        let draft = AlertDraft::of(&defaults);
        assert_eq!(draft.utc_offset, "+08:00");
        assert_eq!(draft.settings(&defaults), Ok(defaults));
    }

    #[test]
    fn the_secret_is_sent_only_when_typed_and_read_only_parts_are_kept() {
        let loaded = AlertSettings {
            webhook_url: Some("https://hooks.example.cn/a".to_owned()),
            webhook_secret_set: true,
            email_available: true,
            ..AlertSettings::default()
        };
        let mut draft = AlertDraft::of(&loaded);
        assert_eq!(draft.webhook_secret, "");
        let sent = draft.settings(&loaded);
        assert_eq!(sent.as_ref().map(|s| s.webhook_secret.clone()), Ok(None));
        assert_eq!(sent.map(|s| s.webhook_secret_set), Ok(true));
        draft.webhook_secret = "a new secret of 24 chars".to_owned();
        draft.webhook_url = "  ".to_owned();
        draft.email_to = "dpo@example.cn\n".to_owned();
        draft.suspend_on = BTreeSet::from([AlertRule::RevealBurst]);
        draft.weekends_off = true;
        let sent = draft.settings(&loaded).expect("valid");
        assert_eq!(
            sent.webhook_secret.as_deref(),
            Some("a new secret of 24 chars")
        );
        assert_eq!(sent.webhook_url, None);
        assert_eq!(sent.email_to, ["dpo@example.cn"]);
        assert_eq!(sent.suspend_on, [AlertRule::RevealBurst]);
        assert!(sent.weekends_off);
    }

    #[test]
    fn problems_are_named_at_their_fields() {
        let loaded = AlertSettings::default();
        let mut draft = AlertDraft::of(&loaded);
        let set = |draft: &mut AlertDraft, field: &str, value: &str| {
            if let Some((_, v)) = draft.numbers.iter_mut().find(|(f, _)| *f == field) {
                *v = value.to_owned();
            }
        };
        set(&mut draft, "history_days", "thirty");
        set(&mut draft, "work_start_hour", "300");
        set(&mut draft, "daily_row_limit", "-1");
        draft.utc_offset = "Beijing".to_owned();
        assert_eq!(
            draft.settings(&loaded),
            Err(vec![
                ("history_days", NOT_A_NUMBER),
                ("daily_row_limit", NOT_A_NUMBER),
                ("work_start_hour", OUT_OF_RANGE),
                (OFFSET_FIELD, BAD_OFFSET),
            ])
        );
        // 0 turns a rule off: it is a number like any other.
        set(&mut draft, "history_days", "0");
        set(&mut draft, "work_start_hour", "0");
        set(&mut draft, "daily_row_limit", "0");
        draft.utc_offset = "+8".to_owned();
        assert_eq!(
            draft
                .settings(&loaded)
                .map(|s| (s.daily_row_limit, s.work_start_hour)),
            Ok((0, 0))
        );
    }
}
