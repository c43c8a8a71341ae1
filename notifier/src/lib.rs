//! The `notifier` role: tells people what happened to them, in the app and
//! by email (issue [5]).
//!
//! - [`audience`]: which event concerns whom, and what they are told;
//! - [`compose`]: the words, in Russian and English (minijinja);
//! - [`inbox`]: the `hub.notifier` handler storing notifications and mail;
//! - [`mailer`]: the outbox to the SMTP server (lettre);
//! - [`settings`]: the `HUB_SMTP__*`, `HUB_NOTIFIER__*` and `HUB_PUBLIC_URL` variables;
//! - [`sink`]: an SMTP server that keeps what it receives, for `hub dev`
//!   and the tests;
//! - [`smtp`]: the SMTP exchange in two steps, before and after the
//!   message may have left.

pub mod audience;
pub mod compose;
pub mod inbox;
pub mod mailer;
pub mod settings;
pub mod sink;
pub mod smtp;

pub use inbox::Inbox;
pub use mailer::{Mailer, MailerSettings};
pub use settings::NotifierSettings;

use bus::ConsumerConfig;
use tokio_util::sync::CancellationToken;

/// The queue `hub.notifier` with its bindings.
pub fn queue() -> bus::ConsumerQueue {
    bus::ConsumerQueue::notifier(audience::ROUTING_KEYS)
}

/// Consumes events and sends mail until `shutdown`.
pub async fn run(
    inbox: Inbox,
    mailer: Mailer,
    consumer: ConsumerConfig,
    shutdown: CancellationToken,
) {
    let queue = queue();
    let mailing = mailer.run(shutdown.clone());
    let consuming = bus::consume("notifier", &inbox, &queue, &consumer, &shutdown);
    let forwarding =
        inbox.forward_admin_messages_until(std::time::Duration::from_secs(1), &shutdown);
    tokio::join!(mailing, consuming, forwarding);
}
