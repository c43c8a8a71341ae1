//! A list read a page at a time, read again from the top whenever its
//! `changes` counter moves (the wallet's history and payouts).

use dioxus::prelude::*;
use futures_util::future::LocalBoxFuture;

use crate::api::ApiError;
use crate::api::types::Page;
use crate::pages::subscriptions::Load;
use crate::session;

/// Reads the page after a cursor (`None` for the first).
pub type Fetch<T> = fn(Option<String>) -> LocalBoxFuture<'static, Result<Page<T>, ApiError>>;

/// The list's state; cheap to copy into event handlers.
pub struct Paged<T: 'static> {
    /// What is shown, newest first.
    pub items: Signal<Vec<T>>,
    /// The next page's cursor, while there is one.
    pub next: Signal<Option<String>>,
    /// The first page's state.
    pub state: Signal<Load>,
    /// Why the last "more" failed, if it did.
    pub more_error: Signal<Option<String>>,
    fetch: Fetch<T>,
    key: fn(&T) -> String,
}

impl<T> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Paged<T> {}

/// The first page now and after every move of `changes`; `key` tells items
/// apart, so a page that overlaps a reload adds nothing twice.
pub fn use_paged<T: 'static>(
    changes: Signal<u32>,
    fetch: Fetch<T>,
    key: fn(&T) -> String,
) -> Paged<T> {
    let paged = Paged {
        items: use_signal(Vec::new),
        next: use_signal(|| None),
        state: use_signal(|| Load::Loading),
        more_error: use_signal(|| None),
        fetch,
        key,
    };
    use_effect(move || {
        let _ = changes();
        let Paged {
            mut items,
            mut next,
            mut state,
            ..
        } = paged;
        spawn(async move {
            match fetch(None).await {
                Ok(page) => {
                    items.set(page.items);
                    next.set(page.next_cursor);
                    state.set(Load::Ready);
                }
                Err(e) => state.set(Load::Failed(e.message(session::t()))),
            }
        });
    });
    paged
}

impl<T: 'static> Paged<T> {
    /// Appends the next page, if there is one.
    pub async fn load_more(mut self) {
        let Some(cursor) = self.next.peek().clone() else {
            return;
        };
        match (self.fetch)(Some(cursor)).await {
            Ok(page) => {
                let key = self.key;
                let mut list = self.items.write();
                for item in page.items {
                    if !list.iter().any(|x| key(x) == key(&item)) {
                        list.push(item);
                    }
                }
                self.next.set(page.next_cursor);
                self.more_error.set(None);
            }
            Err(e) => self.more_error.set(Some(e.message(session::t()))),
        }
    }
}
