//! `/dev/mail`, mounted only by `hub dev`: the mail its notifier sent to
//! the SMTP sink in this process, newest first, and each message's text.
//! Nothing leaves the machine.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use notifier::sink::Sink;

/// The mailbox's pages.
pub fn router(sink: Sink) -> Router {
    Router::new()
        .route("/dev/mail", get(list))
        .route("/dev/mail/{n}", get(show))
        .with_state(sink)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:1em auto}}\
         td,th{{padding:.3em .6em;text-align:left;border-bottom:1px solid #ddd}}\
         pre{{white-space:pre-wrap;background:#f6f6f6;padding:1em}}</style></head>\
         <body><h1>{t}</h1>{body}</body></html>",
        t = escape(title)
    ))
}

async fn list(State(sink): State<Sink>) -> Html<String> {
    let mails = sink.messages();
    let mut rows = String::new();
    for (n, mail) in mails.iter().enumerate().rev() {
        rows.push_str(&format!(
            "<tr data-testid=\"mail-row\"><td>{}</td><td>{}</td><td><a href=\"/dev/mail/{n}\">{}</a></td></tr>",
            n + 1,
            escape(&mail.to.join(", ")),
            escape(&mail.subject()),
        ));
    }
    page(
        &format!("Dev mailbox: {} messages", mails.len()),
        &format!("<table><tr><th>#</th><th>To</th><th>Subject</th></tr>{rows}</table>"),
    )
}

async fn show(State(sink): State<Sink>, Path(n): Path<usize>) -> Response {
    let Some(mail) = sink.messages().into_iter().nth(n) else {
        return (StatusCode::NOT_FOUND, "no such message").into_response();
    };
    page(
        &mail.subject(),
        &format!(
            "<p><a href=\"/dev/mail\">← all mail</a></p><p>From {} to {}</p>\
             <pre data-testid=\"mail-text\">{}</pre><details><summary>Raw</summary><pre>{}</pre></details>",
            escape(&mail.from),
            escape(&mail.to.join(", ")),
            escape(&mail.text().unwrap_or_default()),
            escape(&mail.data),
        ),
    )
    .into_response()
}
