//! How a list on screen takes a `subscription` event from the stream.

use crate::api::types::Subscription;

/// Puts `item` in place of the item with its id, or at the top when it is new (lists are newest first).
pub fn upsert(items: &mut Vec<Subscription>, item: Subscription) {
    match items.iter_mut().find(|s| s.id == item.id) {
        Some(slot) => *slot = item,
        None => items.insert(0, item),
    }
}

/// Applies an event to the provider's available requests: only open ones
/// (requested, or overdue while the client waits) stay.
pub fn apply_available(items: &mut Vec<Subscription>, item: Subscription) {
    if matches!(item.status.as_str(), "requested" | "overdue") {
        upsert(items, item);
    } else {
        remove(items, &item.id);
    }
}

/// Drops the item with this id, if present.
pub fn remove(items: &mut Vec<Subscription>, id: &str) {
    items.retain(|s| s.id != id);
}

/// Takes a fresh first page into the list: shown items are replaced in
/// place, missing ones go on top in the page's order. For a stream that has
/// just (re)connected: what committed while it was down arrives this way.
pub fn refresh(items: &mut Vec<Subscription>, page: Vec<Subscription>) {
    for item in page.into_iter().rev() {
        upsert(items, item);
    }
}

/// Appends a further page, skipping items already shown (an event may have brought them first).
pub fn append_page(items: &mut Vec<Subscription>, page: Vec<Subscription>) {
    for item in page {
        if !items.iter().any(|s| s.id == item.id) {
            items.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::Money;

    fn sub(id: &str, status: &str) -> Subscription {
        let rub = |a: &str| Money {
            amount: a.into(),
            currency: "RUB".into(),
        };
        Subscription {
            id: id.into(),
            client_id: "c1".into(),
            provider_id: None,
            service_type: "legal".into(),
            plan: "one_off".into(),
            description: format!("request {id}"),
            status: status.into(),
            price: rub("1500.00"),
            escrow: rub("0.00"),
            period_start: None,
            period_end: None,
            next_charge_at: None,
            next_charge: None,
            cancellation_scheduled: false,
            cancel_effective_at: None,
            created_at: "2026-11-01T10:00:00Z".into(),
            acceptance_deadline: None,
            updated_at: "2026-11-01T10:00:00Z".into(),
        }
    }

    fn ids(items: &[Subscription]) -> Vec<&str> {
        items.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn upsert_puts_a_new_item_on_top() {
        let mut items = vec![sub("a", "requested")];
        upsert(&mut items, sub("b", "requested"));
        assert_eq!(ids(&items), ["b", "a"]);
    }

    #[test]
    fn upsert_replaces_an_existing_item_in_place() {
        let mut items = vec![sub("a", "requested"), sub("b", "requested")];
        upsert(&mut items, sub("b", "active"));
        assert_eq!(ids(&items), ["a", "b"]);
        assert_eq!(items[1].status, "active");
    }

    #[test]
    fn available_list_drops_an_item_once_it_is_no_longer_requested() {
        let mut items = vec![sub("a", "requested"), sub("b", "requested")];
        apply_available(&mut items, sub("a", "active"));
        assert_eq!(ids(&items), ["b"]);
    }

    #[test]
    fn available_list_ignores_a_non_requested_item_it_never_had() {
        let mut items = vec![sub("a", "requested")];
        apply_available(&mut items, sub("z", "cancelled"));
        assert_eq!(ids(&items), ["a"]);
    }

    #[test]
    fn available_list_adds_a_new_request() {
        let mut items = vec![];
        apply_available(&mut items, sub("n", "requested"));
        assert_eq!(ids(&items), ["n"]);
    }

    #[test]
    fn refresh_brings_what_the_stream_missed_on_top_and_updates_the_rest() {
        let mut items = vec![sub("a", "requested"), sub("b", "requested")];
        refresh(
            &mut items,
            vec![
                sub("new", "requested"),
                sub("a", "active"),
                sub("b", "requested"),
            ],
        );
        assert_eq!(ids(&items), ["new", "a", "b"]);
        assert_eq!(items[1].status, "active");
    }

    #[test]
    fn next_page_skips_items_already_shown() {
        let mut items = vec![sub("new", "requested"), sub("a", "requested")];
        append_page(
            &mut items,
            vec![sub("new", "requested"), sub("b", "active")],
        );
        assert_eq!(ids(&items), ["new", "a", "b"]);
    }
}
