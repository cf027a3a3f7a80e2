//! Retention periods in the designer: how many days, what happens then and when the
//! clock starts, for a field's own period and a purpose's; and what anonymising keeps
//! of a field's kind.

use leptos::prelude::*;
use shared::retention::AnonymisationRule;
use shared::schema::{RetentionAction, RetentionPeriod, RetentionStart};

use super::field_editor::json_name;
use crate::i18n::{use_i18n, Texts};
use crate::pages::forms::widgets::{label, parse_optional, select};

/// The period a purpose gets when its own period is turned on.
pub const DEFAULT_PURPOSE_PERIOD: RetentionPeriod = RetentionPeriod {
    days: 365,
    action: RetentionAction::Delete,
    from: RetentionStart::Collection,
};

const ACTIONS: [RetentionAction; 2] = [RetentionAction::Delete, RetentionAction::Anonymise];
const STARTS: [RetentionStart; 2] = [RetentionStart::Collection, RetentionStart::RelationshipEnd];

/// Reads a number of days: blank is `None`; anything else must be a whole number of at
/// least 1 (a period of zero days is refused, as the schema check refuses it).
pub fn parse_days(text: &str) -> Result<Option<u32>, ()> {
    match parse_optional::<u32>(text)? {
        Some(0) => Err(()),
        days => Ok(days),
    }
}

/// `current` with `days` (none: no period), keeping its action and start.
#[must_use]
pub fn with_days(current: Option<RetentionPeriod>, days: Option<u32>) -> Option<RetentionPeriod> {
    days.map(|days| RetentionPeriod {
        days,
        action: current.map_or(RetentionAction::Delete, |r| r.action),
        from: current.map_or(RetentionStart::Collection, |r| r.from),
    })
}

/// The days, action and start of a period. Blank days mean no period when
/// `blank_is_none` (a field's own period); otherwise they are refused (a purpose's, which
/// a checkbox turns off). Ids start with `id`, test ids with `testid`: `-days`,
/// `-action`, `-from`.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub fn PeriodInputs<G, S>(
    id: String,
    testid: &'static str,
    blank_is_none: bool,
    days_label: fn(&Texts) -> &'static str,
    get: G,
    set: S,
) -> impl IntoView
where
    G: Fn() -> Option<RetentionPeriod> + Copy + Send + Sync + 'static,
    S: Fn(Option<RetentionPeriod>) + Copy + 'static,
{
    let i18n = use_i18n();
    let days_text = RwSignal::new(untrack(get).map(|r| r.days.to_string()).unwrap_or_default());
    let days_error = RwSignal::new(false);
    let days_id = format!("{id}-days");
    let error_id = format!("{id}-days-issues");
    let change = move |change: Box<dyn FnOnce(&mut RetentionPeriod)>| {
        if let Some(mut period) = get() {
            change(&mut period);
            set(Some(period));
        }
    };
    view! {
        <div class="field" class:field-invalid=move || days_error.get()>
            <label for=days_id.clone()>{move || days_label(i18n.t())}</label>
            <input
                id=days_id
                type="text"
                inputmode="numeric"
                autocomplete="off"
                data-testid=format!("{testid}-days")
                aria-invalid=move || days_error.get().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || days_text.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    match parse_days(&text) {
                        Ok(None) if !blank_is_none => days_error.set(true),
                        Ok(days) => {
                            days_error.set(false);
                            set(with_days(untrack(get), days));
                        }
                        Err(()) => days_error.set(true),
                    }
                    days_text.set(text);
                }
            />
            <p id=error_id class="field-issues" aria-live="polite">
                {move || days_error.get().then(|| i18n.t().retention.days_invalid)}
            </p>
        </div>
        {select(
            format!("{id}-action"),
            label(|t| t.retention_action),
            move || ACTIONS.iter().map(|a| (json_name(a), i18n.t().retention.action(*a).to_owned())).collect(),
            move || json_name(&get().map_or(RetentionAction::Delete, |r| r.action)),
            move |v| if let Some(action) = ACTIONS.into_iter().find(|a| json_name(a) == v) {
                change(Box::new(move |r| r.action = action));
            },
            Some(format!("{testid}-action")),
        )}
        {select(
            format!("{id}-from"),
            move || i18n.t().retention.from.to_owned(),
            move || STARTS.iter().map(|s| (json_name(s), i18n.t().retention.start(*s).to_owned())).collect(),
            move || json_name(&get().map_or(RetentionStart::Collection, |r| r.from)),
            move |v| if let Some(from) = STARTS.into_iter().find(|s| json_name(s) == v) {
                change(Box::new(move |r| r.from = from));
            },
            Some(format!("{testid}-from")),
        )}
    }
}

/// What anonymising keeps of a field's answers, shown while its period anonymises.
#[component]
pub fn AnonymisationNote<G>(rule: AnonymisationRule, anonymises: G) -> impl IntoView
where
    G: Fn() -> bool + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <Show when=anonymises>
            <p class="field-hint" data-testid="field-anonymisation-rule" data-rule=rule.as_str()>
                {move || {
                    let t = &i18n.t().retention;
                    format!("{}: {}", t.rule_label, t.rule(rule))
                }}
            </p>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_whole_and_at_least_one() {
        assert_eq!(parse_days(""), Ok(None));
        assert_eq!(parse_days(" 30 "), Ok(Some(30)));
        assert_eq!(parse_days("0"), Err(()));
        assert_eq!(parse_days("-3"), Err(()));
        assert_eq!(parse_days("1.5"), Err(()));
        assert_eq!(parse_days("三十"), Err(()));
    }

    #[test]
    fn changing_the_days_keeps_the_action_and_the_start() {
        let period = RetentionPeriod {
            days: 30,
            action: RetentionAction::Anonymise,
            from: RetentionStart::RelationshipEnd,
        };
        assert_eq!(
            with_days(Some(period), Some(90)),
            Some(RetentionPeriod { days: 90, ..period })
        );
        assert_eq!(with_days(Some(period), None), None);
        assert_eq!(
            with_days(None, Some(7)),
            Some(RetentionPeriod {
                days: 7,
                action: RetentionAction::Delete,
                from: RetentionStart::Collection,
            })
        );
    }
}
