//! The notifier role's settings, read from `HUB_*` variables.

use platform::{ConfigError, Env};
use std::time::Duration;

/// How the notifier behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifierSettings {
    /// `HUB_SMTP__URL`: required by `hub notifier` (`hub dev` mails to its
    /// own sink), e.g. `smtp://127.0.0.1:1025`, `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host`.
    pub smtp_url: Option<String>,
    /// `HUB_SMTP__FROM`, default `Hub <noreply@hub.local>`: every mail's sender.
    pub from: String,
    /// `HUB_PUBLIC_URL`, default `http://127.0.0.1:8080`: the web app's
    /// address, for links in mail.
    pub public_url: String,
    /// `HUB_NOTIFIER__CHAT_MAIL_MINUTES`, default 15: at most one chat mail
    /// per order and recipient this often.
    pub chat_mail_every: Duration,
    /// `HUB_NOTIFIER__MAIL_LEASE_SECS`, default 60: a mail claimed by a
    /// notifier that died before marking it is tried again this long after
    /// the claim, or, if it had handed the mail to the server, parked as
    /// uncertain. Longer than one mail's two SMTP steps (25 s each) take.
    pub mail_lease: Duration,
}

impl NotifierSettings {
    /// Reads the variables above; the first error names its variable.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let minutes: u64 = env.parse_or("HUB_NOTIFIER__CHAT_MAIL_MINUTES", 15)?;
        Ok(Self {
            smtp_url: env.get("HUB_SMTP__URL").map(str::to_owned),
            from: env
                .get("HUB_SMTP__FROM")
                .unwrap_or("Hub <noreply@hub.local>")
                .to_owned(),
            public_url: env
                .get("HUB_PUBLIC_URL")
                .unwrap_or("http://127.0.0.1:8080")
                .to_owned(),
            chat_mail_every: Duration::from_secs(minutes.saturating_mul(60)),
            mail_lease: Duration::from_secs(env.parse_or("HUB_NOTIFIER__MAIL_LEASE_SECS", 60)?),
        })
    }
}
