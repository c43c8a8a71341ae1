//! `/admin/complaints/:id`: one complaint — its reason, parties and status;
//! taking it into review; the admins' notes; the order's chat (read, and
//! write into it as admin); a direct message to either party; the split of
//! the frozen escrow. Kept current by the stream's `complaint`, `message`
//! and `order` events.

use dioxus::prelude::*;

use super::split::SplitForm;
use super::{SEEN_COMPLAINTS, complaint_status, remember};
use crate::api::admin::{self, Complaint, Message, Order, To};
use crate::api::types::Subscription;
use crate::api::{self, ApiError};
use crate::components::form::{FieldError, FormError};
use crate::components::layout::NavLink;
use crate::form_errors::FormErrors;
use crate::format::date_time;
use crate::live::use_stream_kinds;
use crate::pages::admin::complaints::role_of;
use crate::pages::subscriptions::LiveBadge;
use crate::routes::Route;
use crate::session::{self, LANG};

/// Puts a chat message in place, oldest first, once.
pub fn add_message(chat: &mut Vec<Message>, m: Message) {
    if chat.iter().any(|x| x.id == m.id) {
        return;
    }
    let at = chat.partition_point(|x| x.sequence < m.sequence);
    chat.insert(at, m);
}

/// One complaint, as an admin works on it.
#[component]
pub fn AdminComplaint(id: String) -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    let mut fetch_error = use_signal(|| None::<ApiError>);
    let mut order = use_signal(|| None::<Result<Order, ApiError>>);
    let mut chat = use_signal(Vec::<Message>::new);
    let mut chat_error = use_signal(|| None::<String>);
    let mut subscription = use_signal(|| None::<Result<Subscription, ApiError>>);

    let cid = id.clone();
    let mut load = use_future(move || {
        let cid = cid.clone();
        async move {
            match admin::complaint(&cid).await {
                Ok(c) => {
                    remember(&c);
                    fetch_error.set(None);
                }
                Err(e) => fetch_error.set(Some(e)),
            }
        }
    });
    // What the effects below follow; memos, so they rerun only when it changes.
    let shown = use_signal(|| id.clone());
    let watched_order = use_memo(move || {
        SEEN_COMPLAINTS
            .read()
            .get(&*shown.read())
            .map(|c| c.order_id.clone())
    });
    // The escrow the split may hand out is read again whenever the status
    // changes (a resolution empties it).
    let watched_sub = use_memo(move || {
        SEEN_COMPLAINTS
            .read()
            .get(&*shown.read())
            .map(|c| (c.subscription_id.clone(), c.status.clone()))
    });
    let complaint = SEEN_COMPLAINTS.read().get(&id).cloned();

    // The order and its chat, once the complaint names them.
    use_effect(move || {
        let Some(oid) = watched_order() else {
            return;
        };
        spawn(async move {
            order.set(Some(admin::order(&oid).await));
            match admin::messages(&oid, None).await {
                Ok(page) => {
                    let mut list = chat.peek().clone();
                    for m in page.items {
                        add_message(&mut list, m);
                    }
                    chat.set(list);
                    chat_error.set(None);
                }
                Err(e) => chat_error.set(Some(e.message(session::t()))),
            }
        });
    });
    use_effect(move || {
        let Some((sid, _)) = watched_sub() else {
            return;
        };
        spawn(async move {
            subscription.set(Some(api::subscription(&sid).await));
        });
    });

    let live = use_stream_kinds(
        &["complaint", "message", "order"],
        move |kind, text| match kind {
            "complaint" => {
                if let Ok(c) = serde_json::from_str::<Complaint>(&text) {
                    remember(&c);
                }
            }
            "message" => {
                if let Ok(m) = serde_json::from_str::<Message>(&text)
                    && watched_order.peek().as_deref() == Some(m.order_id.as_str())
                {
                    add_message(&mut chat.write(), m);
                }
            }
            "order" => {
                if let Ok(o) = serde_json::from_str::<Order>(&text)
                    && watched_order.peek().as_deref() == Some(o.id.as_str())
                {
                    order.set(Some(Ok(o)));
                }
            }
            _ => {}
        },
    );

    let Some(c) = complaint else {
        return rsx! {
            section { class: "page", "data-testid": "complaint-page",
                BackToQueue {}
                match fetch_error() {
                    None => rsx! { p { class: "muted", "{t.loading}" } },
                    Some(e) => rsx! {
                        FormError { testid: "complaint-error", error: Some(e.message(t)) }
                        button { class: "btn btn-ghost", r#type: "button", "data-testid": "complaint-retry",
                            onclick: move |_| load.restart(), "{t.retry}" }
                    },
                }
            }
        };
    };
    let escrow = match &*subscription.read() {
        Some(Ok(s)) => Some(s.escrow.clone()),
        _ => None,
    };
    let escrow_error = match &*subscription.read() {
        Some(Err(e)) => Some(e.message(t)),
        _ => None,
    };
    rsx! {
        section { class: "page", "data-testid": "complaint-page", "data-id": "{c.id}",
            div { class: "page-head",
                BackToQueue {}
                h1 { "{a.complaint_title}" }
                span { class: "status status-{c.status}", "data-testid": "complaint-status", "data-status": "{c.status}",
                    {complaint_status(a, &c.status).to_string()} }
                LiveBadge { open: live() }
            }
            if let Some(e) = fetch_error() {
                p { class: "muted small", "data-testid": "complaint-stale", {a.complaint_stale.replace("{error}", &e.message(t))} }
            }
            div { class: "card detail",
                p { class: "desc", "data-testid": "complaint-reason", "{c.reason}" }
                dl { class: "facts",
                    dt { "{a.filed_by}" }
                    dd { "data-testid": "complaint-filed-by", {role_of(&c.filed_by_role)} " · " {date_time(&c.filed_at, lang)} }
                    dt { "{t.role_client}" }
                    dd { code { "data-testid": "complaint-client", "{c.client_id}" } }
                    dt { "{t.role_provider}" }
                    dd { code { "data-testid": "complaint-provider", "{c.provider_id}" } }
                    dt { "{a.order}" }
                    dd {
                        match &*order.read() {
                            Some(Ok(o)) => rsx! {
                                span { "data-testid": "complaint-order", "data-status": "{o.status}", "{o.title} · {o.status}" }
                                if o.frozen_by.is_some() { " " span { class: "status status-past_due", "data-testid": "order-frozen", "{a.frozen}" } }
                            },
                            Some(Err(e)) => rsx! { span { class: "muted", "data-testid": "complaint-order-error", {e.message(t)} } },
                            None => rsx! { span { class: "muted", "{t.loading}" } },
                        }
                        " "
                        NavLink { to: Route::OrderTimeline { id: c.order_id.clone() }, testid: "complaint-timeline-link",
                            class: "btn btn-ghost btn-sm", "{a.open_timeline}" }
                    }
                    dt { "{t.escrow}" }
                    dd { "data-testid": "complaint-escrow",
                        match (&escrow, &escrow_error) {
                            (Some(m), _) => m.display(lang),
                            (None, Some(e)) => e.clone(),
                            _ => t.loading.to_string(),
                        }
                    }
                    if let Some(r) = &c.resolution {
                        dt { "{a.resolution}" }
                        dd { "data-testid": "complaint-resolution",
                            {a.resolution_text.replace("{client}", &r.to_client.display(lang)).replace("{provider}", &r.to_provider.display(lang))}
                            if let Some(n) = &r.note { " — {n}" }
                        }
                    }
                }
                if c.status == "filed" {
                    ReviewButton { id: c.id.clone(), on_done: move |_| load.restart() }
                }
            }
            div { class: "forms",
                Notes { complaint: c.clone(), on_done: move |_| load.restart() }
                DirectMessage { client_id: c.client_id.clone(), provider_id: c.provider_id.clone() }
            }
            div { class: "forms",
                Chat { order_id: c.order_id.clone(), messages: chat(), error: chat_error() }
                if c.is_open() {
                    SplitForm { complaint_id: c.id.clone(), escrow, on_done: move |_| load.restart() }
                }
            }
        }
    }
}

#[component]
fn BackToQueue() -> Element {
    let a = session::t().admin;
    rsx! {
        NavLink { to: Route::Complaints {}, testid: "back-to-complaints", class: "btn btn-ghost btn-sm", "{a.back_to_queue}" }
    }
}

/// "Take into review".
#[component]
fn ReviewButton(id: String, on_done: EventHandler<()>) -> Element {
    let a = session::t().admin;
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    rsx! {
        FormError { testid: "review-error", error: error() }
        button { class: "btn btn-primary", r#type: "button", disabled: busy(), "data-testid": "complaint-review",
            onclick: move |_| {
                let id = id.clone();
                spawn(async move {
                    busy.set(true);
                    let result = admin::review(&id).await;
                    busy.set(false);
                    match result {
                        Ok(()) => { error.set(None); on_done.call(()); }
                        Err(e) => error.set(Some(e.message(session::t()))),
                    }
                });
            },
            "{a.take_into_review}"
        }
    }
}

/// The admins' notes and the form to add one.
#[component]
fn Notes(complaint: Complaint, on_done: EventHandler<()>) -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    let mut text = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut errors = use_signal(FormErrors::default);
    let id = complaint.id.clone();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let id = id.clone();
        let body = text.peek().trim().to_string();
        spawn(async move {
            busy.set(true);
            let result = admin::add_note(&id, &body).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    text.set(String::new());
                    errors.set(FormErrors::default());
                    on_done.call(());
                }
                Err(ApiError::Problem(p)) => errors.set(FormErrors::from_problem(&p, &["text"])),
                Err(e) => errors.set(FormErrors::general(e.message(session::t()))),
            }
        });
    };
    let general = errors.read().general.clone();
    let field = errors.read().field("text");
    rsx! {
        form { class: "card form-card", "data-testid": "notes", onsubmit: submit,
            h2 { "{a.notes_title}" }
            p { class: "muted small", "{a.notes_private}" }
            if complaint.notes.is_empty() {
                p { class: "empty", "data-testid": "notes-empty", "{a.no_notes}" }
            }
            ul { class: "notes",
                for (i, n) in complaint.notes.iter().enumerate() {
                    li { key: "{i}", "data-testid": "note-row",
                        p { "{n.text}" }
                        p { class: "muted small", {date_time(&n.at, lang)} }
                    }
                }
            }
            if complaint.is_open() {
                FormError { testid: "note-error", error: general }
                div { class: if field.is_some() { "field invalid" } else { "field" },
                    label { r#for: "note-text", "{a.add_note}" }
                    textarea { id: "note-text", rows: "2", "data-testid": "note-text", value: "{text}",
                        oninput: move |e| text.set(e.value()) }
                    FieldError { testid: "note-text", error: field.clone() }
                }
                button { class: "btn", r#type: "submit", "data-testid": "note-submit",
                    disabled: busy() || text().trim().is_empty(), "{a.add_note}" }
            }
        }
    }
}

/// The order's chat, oldest first, and the admin's post into it.
#[component]
fn Chat(order_id: String, messages: Vec<Message>, error: Option<String>) -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    let mut text = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut errors = use_signal(FormErrors::default);
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let oid = order_id.clone();
        let body = text.peek().trim().to_string();
        spawn(async move {
            busy.set(true);
            let result = admin::message(To::Order(&oid), &body).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    text.set(String::new());
                    errors.set(FormErrors::default());
                }
                Err(ApiError::Problem(p)) => errors.set(FormErrors::from_problem(&p, &["text"])),
                Err(e) => errors.set(FormErrors::general(e.message(session::t()))),
            }
        });
    };
    let general = errors.read().general.clone().or(error);
    let field = errors.read().field("text");
    rsx! {
        form { class: "card form-card admin-chat", "data-testid": "chat", onsubmit: submit,
            h2 { "{a.chat_title}" }
            if messages.is_empty() {
                p { class: "empty", "data-testid": "chat-empty", "{a.no_messages}" }
            }
            ul { class: "admin-chat-list",
                for m in messages {
                    li { key: "{m.id}", class: "admin-chat-msg admin-chat-{m.author_role}", "data-testid": "chat-message", "data-role": "{m.author_role}",
                        p { class: "muted small", {role_of(&m.author_role)} " · " {date_time(&m.posted_at, lang)} }
                        p { "{m.text}" }
                    }
                }
            }
            FormError { testid: "chat-error", error: general }
            div { class: if field.is_some() { "field invalid" } else { "field" },
                label { r#for: "chat-text", "{a.write_in_chat}" }
                textarea { id: "chat-text", rows: "2", "data-testid": "chat-text", value: "{text}",
                    oninput: move |e| text.set(e.value()) }
                FieldError { testid: "chat-text", error: field.clone() }
            }
            button { class: "btn", r#type: "submit", "data-testid": "chat-submit",
                disabled: busy() || text().trim().is_empty(), "{a.send}" }
        }
    }
}

/// A message to the client or the provider directly (mailed by the notifier).
#[component]
fn DirectMessage(client_id: String, provider_id: String) -> Element {
    let t = session::t();
    let a = t.admin;
    let mut to_provider = use_signal(|| false);
    let mut text = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut sent = use_signal(|| false);
    let mut errors = use_signal(FormErrors::default);
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let account = if to_provider() {
            provider_id.clone()
        } else {
            client_id.clone()
        };
        let body = text.peek().trim().to_string();
        spawn(async move {
            busy.set(true);
            sent.set(false);
            let result = admin::message(To::Account(&account), &body).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    text.set(String::new());
                    sent.set(true);
                    errors.set(FormErrors::default());
                }
                Err(ApiError::Problem(p)) => errors.set(FormErrors::from_problem(&p, &["text"])),
                Err(e) => errors.set(FormErrors::general(e.message(session::t()))),
            }
        });
    };
    let general = errors.read().general.clone();
    let field = errors.read().field("text");
    rsx! {
        form { class: "card form-card", "data-testid": "direct-message", onsubmit: submit,
            h2 { "{a.direct_title}" }
            div { class: "segmented", role: "radiogroup",
                label { class: if !to_provider() { "active" } else { "" },
                    input { r#type: "radio", name: "direct-to", "data-testid": "direct-to-client",
                        checked: !to_provider(), onchange: move |_| to_provider.set(false) }
                    "{t.role_client}"
                }
                label { class: if to_provider() { "active" } else { "" },
                    input { r#type: "radio", name: "direct-to", "data-testid": "direct-to-provider",
                        checked: to_provider(), onchange: move |_| to_provider.set(true) }
                    "{t.role_provider}"
                }
            }
            FormError { testid: "direct-error", error: general }
            div { class: if field.is_some() { "field invalid" } else { "field" },
                label { r#for: "direct-text", "{a.message_text}" }
                textarea { id: "direct-text", rows: "2", "data-testid": "direct-text", value: "{text}",
                    oninput: move |e| { text.set(e.value()); sent.set(false); } }
                FieldError { testid: "direct-text", error: field.clone() }
            }
            if sent() {
                p { class: "alert alert-ok", "data-testid": "direct-sent", "{a.direct_sent}" }
            }
            button { class: "btn", r#type: "submit", "data-testid": "direct-submit",
                disabled: busy() || text().trim().is_empty(), "{a.send}" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: &str, sequence: i64) -> Message {
        Message {
            id: id.into(),
            order_id: "o".into(),
            sequence,
            author_id: "a".into(),
            author_role: "client".into(),
            text: id.into(),
            posted_at: "2026-11-01T10:00:00Z".into(),
            attachment: None,
        }
    }

    #[test]
    fn messages_stay_in_order_and_once() {
        let mut chat = vec![];
        for msg in [m("c", 5), m("a", 1), m("b", 3), m("b", 3)] {
            add_message(&mut chat, msg);
        }
        let ids: Vec<&str> = chat.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
    }
}
