//! `/admin/orders/:id/history`: the dispute timeline — every event of the
//! order, its subscription, its complaints and the money they moved, in
//! commit order; a selected step shows the order's state after it with the
//! fields it changed marked. The raw answer can be saved as JSON.

use std::collections::BTreeSet;

use dioxus::prelude::*;

use crate::api::ApiError;
use crate::api::admin::{self, History, Step};
use crate::api::attachment::Attachment;
use crate::components::form::FormError;
use crate::components::layout::NavLink;
use crate::format::date_time;
use crate::pages::admin::complaints::role_of;
use crate::routes::Route;
use crate::save_file;
use crate::session::{self, LANG};

/// The kinds of step, in the filter's order.
pub const KINDS: [&str; 4] = ["order", "subscription", "complaint", "money"];

/// The steps whose kind is ticked, in their order.
pub fn visible<'a>(steps: &'a [Step], kinds: &BTreeSet<String>) -> Vec<&'a Step> {
    steps.iter().filter(|s| kinds.contains(&s.kind)).collect()
}

/// A state value as a person reads it: strings bare, absent as a dash.
pub fn show_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The order's timeline.
#[component]
pub fn OrderTimeline(id: String) -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    let mut history = use_signal(|| None::<Result<(String, History), ApiError>>);
    let mut selected = use_signal(|| None::<u32>);
    let mut kinds = use_signal(|| KINDS.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>());
    let mut saved = use_signal(|| None::<Result<String, String>>);
    let oid = id.clone();
    let mut load = use_future(move || {
        let oid = oid.clone();
        async move {
            let h = admin::history(&oid).await;
            // The last step is what the order is now: start there.
            if let Ok((_, h)) = &h {
                selected.set(h.steps.last().map(|s| s.position));
            }
            history.set(Some(h));
        }
    });
    let export = {
        let id = id.clone();
        move |_| {
            let Some(Ok((raw, _))) = &*history.peek() else {
                return;
            };
            let file = Attachment {
                bytes: raw.clone().into_bytes(),
                content_type: "application/json".into(),
                filename: None,
            };
            let result = save_file::save(&file, &format!("order-{id}-history.json"))
                .map_err(|_| session::t().save_failed.to_string());
            saved.set(Some(result));
        }
    };

    let body = match &*history.read() {
        None => rsx! { p { class: "muted", "{t.loading}" } },
        Some(Err(e)) => rsx! {
            FormError { testid: "timeline-error", error: Some(e.message(t)) }
            button { class: "btn btn-ghost", r#type: "button", onclick: move |_| load.restart(), "{t.retry}" }
        },
        Some(Ok((_, h))) => {
            let ticked = kinds.read().clone();
            let steps = visible(&h.steps, &ticked);
            let current = selected()
                .and_then(|p| h.steps.iter().find(|s| s.position == p))
                .cloned();
            rsx! {
                div { class: "checks", "data-testid": "timeline-kinds",
                    for k in KINDS {
                        label { key: "{k}", class: "check",
                            input { r#type: "checkbox", "data-testid": "timeline-kind-{k}", checked: ticked.contains(k),
                                onchange: move |e| {
                                    let mut set = kinds.write();
                                    if e.checked() { set.insert(k.to_string()); } else { set.remove(k); }
                                } }
                            {kind_label(k)}
                        }
                    }
                }
                div { class: "timeline",
                    ol { class: "timeline-steps", "data-testid": "timeline-steps",
                        for s in steps {
                            li { key: "{s.position}",
                                class: if Some(s.position) == selected() { "timeline-step selected kind-{s.kind}" } else { "timeline-step kind-{s.kind}" },
                                "data-testid": "timeline-step", "data-kind": "{s.kind}", "data-event-type": "{s.event_type}",
                                "data-position": "{s.position}",
                                "aria-selected": if Some(s.position) == selected() { "true" } else { "false" },
                                onclick: { let p = s.position; move |_| selected.set(Some(p)) },
                                span { class: "step-kind", {kind_label(&s.kind)} }
                                strong { "{s.event_type}" }
                                span { class: "muted small",
                                    {date_time(&s.at, lang)}
                                    if let Some(actor) = &s.actor { " · " {role_of(&actor.role)} }
                                }
                            }
                        }
                    }
                    match current {
                        None => rsx! { p { class: "muted", "data-testid": "timeline-no-step", "{a.pick_step}" } },
                        Some(s) => rsx! { StepState { step: s } },
                    }
                }
            }
        }
    };
    rsx! {
        section { class: "page", "data-testid": "timeline-page", "data-order": "{id}",
            div { class: "page-head",
                NavLink { to: Route::Complaints {}, testid: "back-to-complaints", class: "btn btn-ghost btn-sm", "{a.back_to_queue}" }
                h1 { "{a.timeline_title}" }
                button { class: "btn", r#type: "button", "data-testid": "timeline-export",
                    disabled: !matches!(&*history.read(), Some(Ok(_))), onclick: export, "{a.export_json}" }
            }
            p { class: "muted small", code { "{id}" } }
            match saved() {
                Some(Ok(name)) => rsx! { p { class: "alert alert-ok", "data-testid": "timeline-saved", {t.file_saved.replace("{name}", &name)} } },
                Some(Err(msg)) => rsx! { FormError { testid: "timeline-save-error", error: Some(msg) } },
                None => rsx! {},
            }
            {body}
        }
    }
}

fn kind_label(kind: &str) -> String {
    let a = session::t().admin;
    match kind {
        "order" => a.kind_order,
        "subscription" => a.kind_subscription,
        "complaint" => a.kind_complaint,
        "money" => a.kind_money,
        other => other,
    }
    .to_string()
}

/// The order's state after one step, the fields it changed marked.
#[component]
fn StepState(step: Step) -> Element {
    let a = session::t().admin;
    let payload = serde_json::to_string_pretty(&step.payload).unwrap_or_default();
    rsx! {
        div { class: "card timeline-state", "data-testid": "timeline-state", "data-position": "{step.position}",
            h2 { "{step.event_type}" }
            p { class: "muted small", "{step.aggregate_type} {step.aggregate_id} #{step.sequence}" }
            table { class: "table",
                thead { tr { th { "{a.field}" } th { "{a.value}" } } }
                tbody {
                    for (k, v) in step.state.iter() {
                        tr { key: "{k}",
                            class: if step.changed.contains(k) { "changed" } else { "" },
                            "data-testid": "timeline-state-field", "data-field": "{k}",
                            "data-changed": if step.changed.contains(k) { "true" } else { "false" },
                            td { "{k}" }
                            td { {show_value(v)} }
                        }
                    }
                }
            }
            details {
                summary { "{a.payload}" }
                pre { class: "command", "data-testid": "timeline-payload", "{payload}" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(position: u32, kind: &str) -> Step {
        Step {
            position,
            kind: kind.into(),
            aggregate_type: kind.into(),
            aggregate_id: "x".into(),
            sequence: 1,
            event_type: "E".into(),
            at: "2026-11-01T10:00:00Z".into(),
            actor: None,
            payload: serde_json::Value::Null,
            state: serde_json::Map::new(),
            changed: vec![],
        }
    }

    #[test]
    fn unticked_kinds_are_hidden_and_the_order_kept() {
        let steps = [step(0, "order"), step(1, "money"), step(2, "complaint")];
        let kinds: BTreeSet<String> = ["order", "complaint"].map(String::from).into();
        let shown: Vec<u32> = visible(&steps, &kinds).iter().map(|s| s.position).collect();
        assert_eq!(shown, [0, 2]);
    }

    #[test]
    fn values_read_plainly() {
        assert_eq!(show_value(&serde_json::json!("in_progress")), "in_progress");
        assert_eq!(show_value(&serde_json::json!(null)), "—");
        assert_eq!(show_value(&serde_json::json!(true)), "true");
    }
}
