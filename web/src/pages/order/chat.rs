//! An order's chat: the latest page, older pages on demand, new messages
//! live from the stream, and what the user sends shown at once (pending,
//! then sent, or failed with a retry).
//!
//! The list is kept newest first and drawn in a `column-reverse` box, so
//! the newest message sits at the bottom and the view starts there.

use dioxus::prelude::*;

use crate::api::orders::{self, FileRefusal, Message, MessageAttachment, precheck_file};
use crate::api::types::Role;
use crate::components::form::FormError;
use crate::format::date_time;
use crate::idempotency::new_key;
use crate::pages::subscriptions::Load;
use crate::save_file;
use crate::session::{self, LANG};

/// The place a message the server has not numbered yet takes: after every numbered one.
const UNNUMBERED: i64 = i64::MAX;

/// A message on its way, or one that failed to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Chosen here, kept across retries: the row's identity on screen.
    pub local_id: String,
    /// What was written.
    pub text: String,
    /// The request is out.
    pub sending: bool,
    /// Why the last attempt failed, if it did.
    pub failed: Option<String>,
}

/// Takes `m` into `messages` (newest first): a message already shown (the
/// copy shown when its post was answered, or one a page brought) is
/// replaced by it. A message of `me` also retires the first unsent copy
/// with its text: its post went through even if the answer was lost.
pub fn receive(messages: &mut Vec<Message>, outgoing: &mut Vec<Outgoing>, m: Message, me: &str) {
    if m.author_id == me
        && let Some(i) = outgoing.iter().position(|o| o.text.trim() == m.text.trim())
    {
        outgoing.remove(i);
    }
    match messages.iter_mut().find(|x| x.id == m.id) {
        Some(slot) => *slot = m,
        None => messages.insert(0, m),
    }
    sort(messages);
}

/// Newest first by the server's numbering; copies not numbered yet first of all.
fn sort(messages: &mut [Message]) {
    messages.sort_by_key(|m| std::cmp::Reverse(m.sequence));
}

/// Adds a page (newest first) without repeating what is shown.
pub fn merge_page(messages: &mut Vec<Message>, page: Vec<Message>) {
    for m in page {
        if !messages.iter().any(|x| x.id == m.id) {
            messages.push(m);
        }
    }
    sort(messages);
}

/// The post of `text` was answered with `id`: the unsent copy becomes a
/// message (unless the stream brought it first).
pub fn sent(
    messages: &mut Vec<Message>,
    outgoing: &mut Vec<Outgoing>,
    local_id: &str,
    shown: Message,
) {
    outgoing.retain(|o| o.local_id != local_id);
    if !messages.iter().any(|x| x.id == shown.id) {
        messages.insert(0, shown);
        sort(messages);
    }
}

/// Now as RFC 3339, for the copy shown until the stream brings the message.
#[cfg(target_arch = "wasm32")]
fn now_rfc3339() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

#[cfg(not(target_arch = "wasm32"))]
fn now_rfc3339() -> String {
    String::new()
}

/// The chat's state; cheap to copy into handlers and the page's stream handler.
#[derive(Clone, Copy, PartialEq)]
pub struct Chat {
    /// Newest first.
    pub messages: Signal<Vec<Message>>,
    /// Oldest first.
    pub outgoing: Signal<Vec<Outgoing>>,
    /// The cursor of the page before the oldest shown.
    pub older: Signal<Option<String>>,
    /// The first page's state.
    pub state: Signal<Load>,
    /// Why the last "older" failed.
    pub older_error: Signal<Option<String>>,
    order_id: Signal<String>,
    me: Signal<String>,
}

/// The chat of `order_id` as `me` (an account id) sees it.
pub fn use_chat(order_id: String, me: String) -> Chat {
    let chat = Chat {
        messages: use_signal(Vec::new),
        outgoing: use_signal(Vec::new),
        older: use_signal(|| None),
        state: use_signal(|| Load::Loading),
        older_error: use_signal(|| None),
        order_id: use_signal(|| order_id),
        me: use_signal(|| me),
    };
    use_hook(move || chat.refresh());
    chat
}

impl Chat {
    /// A `message` event.
    pub fn take(mut self, m: Message) {
        if m.order_id != *self.order_id.peek() {
            return;
        }
        let me = self.me.peek().clone();
        receive(
            &mut self.messages.write(),
            &mut self.outgoing.write(),
            m,
            &me,
        );
    }

    /// Reads the latest page again and merges it (the first load, and after
    /// the stream (re)connects: what came while it was down).
    pub fn refresh(self) {
        let Chat {
            mut messages,
            mut older,
            mut state,
            order_id,
            ..
        } = self;
        spawn(async move {
            let id = order_id.peek().clone();
            match orders::messages(&id, None).await {
                Ok(page) => {
                    let first = *state.peek() != Load::Ready;
                    merge_page(&mut messages.write(), page.items);
                    if first {
                        older.set(page.next_cursor);
                    }
                    state.set(Load::Ready);
                }
                Err(e) => {
                    if *state.peek() != Load::Ready {
                        state.set(Load::Failed(e.message(session::t())));
                    }
                }
            }
        });
    }

    /// Adds the page before the oldest shown.
    pub async fn load_older(mut self) {
        let Some(cursor) = self.older.peek().clone() else {
            return;
        };
        let id = self.order_id.peek().clone();
        match orders::messages(&id, Some(&cursor)).await {
            Ok(page) => {
                merge_page(&mut self.messages.write(), page.items);
                self.older.set(page.next_cursor);
                self.older_error.set(None);
            }
            Err(e) => self.older_error.set(Some(e.message(session::t()))),
        }
    }

    /// Shows `text` at once and posts it.
    pub fn send(mut self, text: String, role: Role) {
        let local_id = new_key();
        self.outgoing.write().push(Outgoing {
            local_id: local_id.clone(),
            text,
            sending: false,
            failed: None,
        });
        self.attempt(local_id, role);
    }

    /// Posts (again) the unsent message `local_id`.
    pub fn attempt(mut self, local_id: String, role: Role) {
        let text = {
            let mut out = self.outgoing.write();
            let Some(o) = out.iter_mut().find(|o| o.local_id == local_id) else {
                return;
            };
            if o.sending {
                return;
            }
            o.sending = true;
            o.failed = None;
            o.text.clone()
        };
        let order_id = self.order_id.peek().clone();
        let me = self.me.peek().clone();
        spawn(async move {
            match orders::post_message(&order_id, &local_id, &text).await {
                Ok(id) => {
                    let shown = Message {
                        id,
                        order_id,
                        sequence: UNNUMBERED,
                        author_id: me,
                        author_role: role_code(role).to_string(),
                        text,
                        posted_at: now_rfc3339(),
                        attachment: None,
                    };
                    sent(
                        &mut self.messages.write(),
                        &mut self.outgoing.write(),
                        &local_id,
                        shown,
                    );
                }
                Err(e) => {
                    if let Some(o) = self
                        .outgoing
                        .write()
                        .iter_mut()
                        .find(|o| o.local_id == local_id)
                    {
                        o.sending = false;
                        o.failed = Some(e.message(session::t()));
                    }
                }
            }
        });
    }

    /// Forgets an unsent message.
    pub fn discard(mut self, local_id: &str) {
        self.outgoing.write().retain(|o| o.local_id != local_id);
    }
}

fn role_code(role: Role) -> &'static str {
    match role {
        Role::Client => "client",
        Role::Provider => "provider",
        Role::Admin => "admin",
        Role::Auditor => "auditor",
    }
}

/// Who wrote a message, as the reader sees it.
fn author_label(m: &Message, me: &str) -> String {
    let t = session::t();
    if m.author_id == me {
        return t.author_you.to_string();
    }
    match m.author_role.as_str() {
        "client" => t.role_client,
        "provider" => t.role_provider,
        "admin" => t.role_admin,
        other => other,
    }
    .to_string()
}

/// Size of a file for a person.
fn file_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{b} B"),
    }
}

/// The chat box: messages, "older", the composer and the file button.
#[component]
pub fn ChatBox(chat: Chat, role: Role, me: String, closed: bool) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let mut draft = use_signal(String::new);
    let mut attach_error = use_signal(|| None::<String>);
    let mut uploading = use_signal(|| false);
    let mut download_error = use_signal(|| None::<String>);

    let submit = move |e: FormEvent| {
        e.prevent_default();
        let text = draft.peek().trim().to_string();
        if text.is_empty() {
            return;
        }
        draft.set(String::new());
        attach_error.set(None);
        chat.send(text, role);
    };

    let order_id = chat.order_id.peek().clone();
    let upload_order = order_id.clone();
    let pick_file = move |e: FormEvent| {
        let order_id = upload_order.clone();
        async move {
            let Some(file) = e.files().into_iter().next() else {
                return;
            };
            let t = session::t();
            let name = file.name();
            let kind =
                match precheck_file(&name, &file.content_type().unwrap_or_default(), file.size()) {
                    Ok(kind) => kind,
                    Err(refusal) => {
                        attach_error.set(Some(
                            match refusal {
                                FileRefusal::TooLarge => t.file_too_large,
                                FileRefusal::WrongType => t.file_wrong_type,
                                FileRefusal::Empty => t.file_empty,
                            }
                            .to_string(),
                        ));
                        return;
                    }
                };
            if *uploading.peek() {
                return;
            }
            uploading.set(true);
            attach_error.set(None);
            let result = match file.read_bytes().await {
                Ok(bytes) => orders::upload_attachment(&order_id, &name, &kind, &bytes).await,
                Err(_) => Err(crate::api::ApiError::Network),
            };
            uploading.set(false);
            match result {
                // The message with the file comes on the stream; reading the latest
                // page as well shows it even if the stream is reconnecting.
                Ok(()) => chat.refresh(),
                Err(e) => attach_error.set(Some(e.message(session::t()))),
            }
        }
    };

    let download = move |(order_id, a): (String, MessageAttachment)| async move {
        download_error.set(None);
        let t = session::t();
        let outcome = match orders::download_attachment(&order_id, &a.id).await {
            Ok(file) => save_file::save(&file, &a.name)
                .map(drop)
                .map_err(|_| t.save_failed.to_string()),
            Err(e) => Err(e.message(t)),
        };
        if let Err(msg) = outcome {
            download_error.set(Some(msg));
        }
    };

    let messages = chat.messages.read().clone();
    let outgoing = chat.outgoing.read().clone();
    let Chat {
        state,
        older,
        older_error,
        ..
    } = chat;
    rsx! {
        section { class: "card chat", "data-testid": "chat",
            h2 { "{t.chat_title}" }
            if older.read().is_some() {
                button { class: "btn btn-ghost btn-sm", r#type: "button", "data-testid": "chat-older",
                    onclick: move |_| chat.load_older(), "{t.older_messages}" }
            }
            FormError { testid: "chat-older-error", error: older_error() }
            match state() {
                Load::Loading => rsx! { p { class: "muted", "data-testid": "chat-loading", "{t.loading}" } },
                Load::Failed(msg) => rsx! {
                    FormError { testid: "chat-error", error: Some(msg) }
                    button { class: "btn btn-ghost", r#type: "button", onclick: move |_| chat.refresh(), "{t.retry}" }
                },
                Load::Ready => rsx! {
                    if messages.is_empty() && outgoing.is_empty() {
                        p { class: "empty", "data-testid": "chat-empty", "{t.chat_empty}" }
                    }
                    // Newest first in the document, newest at the bottom on screen.
                    div { class: "chat-log", "data-testid": "chat-log",
                        for o in outgoing.iter().rev().cloned() {
                            div { key: "{o.local_id}", class: if o.failed.is_some() { "chat-msg mine failed" } else { "chat-msg mine pending" },
                                "data-testid": "chat-message",
                                "data-state": if o.failed.is_some() { "failed" } else { "pending" },
                                "data-mine": "true",
                                div { class: "chat-meta",
                                    strong { "{t.author_you}" }
                                    span { class: "muted",
                                        if o.failed.is_some() { " · {t.send_failed}" } else { " · {t.sending}" }
                                    }
                                }
                                p { class: "chat-text", "data-testid": "chat-text", "{o.text}" }
                                if let Some(why) = o.failed.clone() {
                                    div { class: "chat-failed",
                                        span { class: "field-error", "data-testid": "chat-send-error", "{why}" }
                                        button { class: "btn btn-sm", r#type: "button", "data-testid": "chat-retry",
                                            onclick: {
                                                let id = o.local_id.clone();
                                                move |_| chat.attempt(id.clone(), role)
                                            },
                                            "{t.retry}"
                                        }
                                        button { class: "btn btn-ghost btn-sm", r#type: "button", "data-testid": "chat-discard",
                                            onclick: {
                                                let id = o.local_id.clone();
                                                move |_| chat.discard(&id)
                                            },
                                            "{t.discard}"
                                        }
                                    }
                                }
                            }
                        }
                        for m in messages {
                            div { key: "{m.id}",
                                class: if m.author_id == me { "chat-msg mine" } else { "chat-msg" },
                                "data-testid": "chat-message",
                                "data-id": "{m.id}",
                                "data-state": "sent",
                                "data-mine": if m.author_id == me { "true" } else { "false" },
                                "data-author-role": "{m.author_role}",
                                div { class: "chat-meta",
                                    strong { {author_label(&m, &me)} }
                                    if !m.posted_at.is_empty() {
                                        span { class: "muted", " · " {date_time(&m.posted_at, lang)} }
                                    }
                                }
                                if !m.text.is_empty() {
                                    p { class: "chat-text", "data-testid": "chat-text", "{m.text}" }
                                }
                                if let Some(a) = m.attachment.clone() {
                                    button { class: "btn btn-ghost btn-sm chat-file", r#type: "button",
                                        "data-testid": "chat-attachment-download",
                                        "data-name": "{a.name}",
                                        onclick: {
                                            let pair = (m.order_id.clone(), a.clone());
                                            move |_| download(pair.clone())
                                        },
                                        "📎 {a.name} ({file_size(a.size)})"
                                    }
                                }
                            }
                        }
                    }
                },
            }
            FormError { testid: "chat-download-error", error: download_error() }
            if closed {
                p { class: "muted", "data-testid": "chat-closed", "{t.chat_closed}" }
            } else {
                form { class: "chat-compose", onsubmit: submit, "data-testid": "chat-form",
                    textarea {
                        "data-testid": "chat-input",
                        rows: 2,
                        maxlength: "4000",
                        placeholder: "{t.message_placeholder}",
                        value: "{draft}",
                        oninput: move |e| draft.set(e.value()),
                    }
                    div { class: "actions",
                        button { class: "btn btn-primary", r#type: "submit", "data-testid": "chat-send",
                            disabled: draft.read().trim().is_empty(), "{t.send}" }
                        label { class: "btn btn-ghost chat-attach", title: "{t.attach_hint}",
                            "{t.attach_file}"
                            input {
                                r#type: "file",
                                class: "visually-hidden",
                                "data-testid": "chat-attach",
                                accept: "application/pdf,image/*",
                                disabled: uploading(),
                                onchange: pick_file,
                            }
                        }
                        if uploading() {
                            span { class: "muted", "data-testid": "chat-uploading", "{t.uploading}" }
                        }
                    }
                    FormError { testid: "chat-attach-error", error: attach_error() }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: &str, seq: i64, author: &str, text: &str) -> Message {
        Message {
            id: id.into(),
            order_id: "o".into(),
            sequence: seq,
            author_id: author.into(),
            author_role: "client".into(),
            text: text.into(),
            posted_at: "2026-11-01T10:00:00Z".into(),
            attachment: None,
        }
    }

    fn out(local: &str, text: &str) -> Outgoing {
        Outgoing {
            local_id: local.into(),
            text: text.into(),
            sending: true,
            failed: None,
        }
    }

    fn ids(messages: &[Message]) -> Vec<&str> {
        messages.iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn a_live_message_lands_newest_first_and_only_once() {
        let mut messages = vec![msg("b", 2, "p", "two"), msg("a", 1, "p", "one")];
        let mut outgoing = vec![];
        receive(
            &mut messages,
            &mut outgoing,
            msg("c", 3, "p", "three"),
            "me",
        );
        receive(
            &mut messages,
            &mut outgoing,
            msg("c", 3, "p", "three"),
            "me",
        );
        assert_eq!(ids(&messages), ["c", "b", "a"]);
    }

    #[test]
    fn the_answered_copy_is_replaced_by_the_streamed_message() {
        let mut messages = vec![msg("a", 1, "p", "one")];
        let mut outgoing = vec![out("l1", "hello")];
        sent(
            &mut messages,
            &mut outgoing,
            "l1",
            msg("m", UNNUMBERED, "me", "hello"),
        );
        assert!(outgoing.is_empty());
        assert_eq!(ids(&messages), ["m", "a"]);
        receive(
            &mut messages,
            &mut outgoing,
            msg("x", 2, "p", "reply"),
            "me",
        );
        assert_eq!(
            ids(&messages),
            ["m", "x", "a"],
            "an unnumbered copy stays last on screen"
        );
        receive(
            &mut messages,
            &mut outgoing,
            msg("m", 3, "me", "hello"),
            "me",
        );
        assert_eq!(ids(&messages), ["m", "x", "a"]);
        assert_eq!(messages[0].sequence, 3);
    }

    #[test]
    fn a_stream_that_beats_the_answer_leaves_one_message() {
        let mut messages = vec![];
        let mut outgoing = vec![out("l1", "hello")];
        receive(
            &mut messages,
            &mut outgoing,
            msg("m", 5, "me", "hello"),
            "me",
        );
        assert!(outgoing.is_empty(), "the echo retires the pending copy");
        sent(
            &mut messages,
            &mut outgoing,
            "l1",
            msg("m", UNNUMBERED, "me", "hello"),
        );
        assert_eq!(ids(&messages), ["m"]);
        assert_eq!(messages[0].sequence, 5);
    }

    #[test]
    fn someone_elses_message_with_the_same_text_keeps_mine_pending() {
        let mut messages = vec![];
        let mut outgoing = vec![out("l1", "ok")];
        receive(
            &mut messages,
            &mut outgoing,
            msg("m", 5, "other", "ok"),
            "me",
        );
        assert_eq!(outgoing.len(), 1);
    }

    #[test]
    fn an_older_page_adds_only_what_is_not_shown() {
        let mut messages = vec![msg("c", 3, "p", ""), msg("b", 2, "p", "")];
        merge_page(
            &mut messages,
            vec![msg("b", 2, "p", ""), msg("a", 1, "p", "")],
        );
        assert_eq!(ids(&messages), ["c", "b", "a"]);
    }

    #[test]
    fn file_sizes_read_for_people() {
        assert_eq!(file_size(10), "10 B");
        assert_eq!(file_size(1500), "2 KB");
        assert_eq!(file_size(3 * 1024 * 1024), "3.0 MB");
    }
}
