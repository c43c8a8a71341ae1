//! The server's event stream (`/api/v1/events/stream`), as hooks for pages that show
//! subscriptions or a wallet.

use dioxus::prelude::*;
use futures_util::StreamExt;
use futures_util::stream::select_all;
use gloo_net::eventsource::futures::EventSource;
use gloo_timers::future::TimeoutFuture;

use crate::api::types::Subscription;
use crate::api::{self, ApiError};
use crate::session;

const FIRST_RETRY_MS: u32 = 1_000;
const MAX_RETRY_MS: u32 = 30_000;

/// Calls `on_event` for every `subscription` event while the calling component is mounted;
/// returns whether the stream is open now.
pub fn use_subscription_events<F>(on_event: F) -> Signal<bool>
where
    F: FnMut(Subscription) + Copy + 'static,
{
    use_stream_events("subscription", move |text| {
        let mut on_event = on_event;
        if let Ok(sub) = serde_json::from_str::<Subscription>(&text) {
            on_event(sub);
        }
    })
}

/// Calls `on_event` with the JSON of every `event` (e.g. `wallet`) while the calling
/// component is mounted; returns whether the stream is open now. The stream is closed when
/// the component unmounts (the task is dropped, and with it the `EventSource`).
pub fn use_stream_events<F>(event: &'static str, on_event: F) -> Signal<bool>
where
    F: FnMut(String) + Copy + 'static,
{
    use_stream_kinds(&[event], move |_, text| {
        let mut on_event = on_event;
        on_event(text);
    })
}

/// Like [`use_stream_events`] for several event kinds over one connection
/// (a page that follows an order hears `order`, `message` and `complaint`;
/// each `EventSource` would hold one of the browser's few connections per
/// host): `on_event` gets the kind and the JSON.
pub fn use_stream_kinds<F>(kinds: &[&'static str], on_event: F) -> Signal<bool>
where
    F: FnMut(&str, String) + Copy + 'static,
{
    let kinds = kinds.to_vec();
    let mut open = use_signal(|| false);
    use_future(move || {
        let kinds = kinds.clone();
        async move {
            let mut on_event = on_event;
            let mut retry_ms = FIRST_RETRY_MS;
            loop {
                if session::current().is_none() {
                    return;
                }
                // A fresh one-time ticket for every connection: the browser's own
                // reconnect would reuse a spent one, so on any error the stream is
                // closed below and opened here again. Fetching it refreshes the
                // access token when needed; a refused refresh means signed out.
                let ticket = match api::stream_ticket().await {
                    Ok(ticket) => ticket,
                    Err(ApiError::Unauthorized) => return,
                    Err(_) => {
                        TimeoutFuture::new(retry_ms).await;
                        retry_ms = (retry_ms * 2).min(MAX_RETRY_MS);
                        continue;
                    }
                };
                let Ok(mut es) = EventSource::new(&api::event_stream_url(&ticket)) else {
                    return;
                };
                let mut streams = Vec::with_capacity(kinds.len() + 1);
                for kind in std::iter::once("open").chain(kinds.iter().copied()) {
                    match es.subscribe(kind) {
                        Ok(stream) => streams.push(stream),
                        Err(_) => return,
                    }
                }
                let mut events = select_all(streams);
                // Ends at the first error event (a dropped connection, the token's
                // expiry, a 401 or 429: EventSource cannot tell them apart).
                while let Some(Ok((kind, msg))) = events.next().await {
                    if kind == "open" {
                        open.set(true);
                        retry_ms = FIRST_RETRY_MS;
                        continue;
                    }
                    if let Some(text) = msg.data().as_string() {
                        on_event(&kind, text);
                    }
                }
                open.set(false);
                drop(events);
                es.close();
                TimeoutFuture::new(retry_ms).await;
                retry_ms = (retry_ms * 2).min(MAX_RETRY_MS);
            }
        }
    });
    open
}
