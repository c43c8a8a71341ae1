//! SMTP in two steps, so the mailer can record the moment a mail may have
//! left: [`Smtp::open`] runs the transaction up to DATA's 354 (the server
//! holds nothing yet, so any failure there is safe to retry), and
//! [`Open::finish`] sends the message and its final dot (from the first
//! byte on, a lost answer means the server may have it). lettre's
//! transport does both in one call, which leaves no place for that mark.
//!
//! Connections are kept for reuse, and a plain or STARTTLS connection is
//! opened with `TCP_NODELAY`: lettre writes the message and the final dot
//! separately, and with Nagle the dot waits for the receiver's delayed ACK
//! (~40 ms), which would keep every mail in its uncertain step that long.

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use std::time::Duration;
use tokio::sync::Mutex;

/// How the connection is protected, as `HUB_SMTP__URL` says.
enum Tls {
    /// `smtp://host`: none.
    None,
    /// `smtp://host?tls=opportunistic`: STARTTLS when offered.
    Opportunistic(TlsParameters),
    /// `smtp://host?tls=required`: STARTTLS or fail.
    Required(TlsParameters),
    /// `smtps://host`: TLS from the first byte.
    Wrapper(TlsParameters),
}

/// An SMTP server and the idle connections to it.
pub struct Smtp {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    keep_idle: usize,
}

/// A transaction the server is ready to take the message of. Dropping it
/// gives the transaction up before the message left: the connection
/// closes, and the server drops what has no final dot. Never lettre's
/// `abort`: after DATA its QUIT is message text, and it waits for an
/// answer that never comes (found by the chaos run: the mailer hung after
/// a PostgreSQL restart failed the handed-over mark).
pub struct Open<'a> {
    smtp: &'a Smtp,
    conn: AsyncSmtpConnection,
}

/// Why a message did not go through.
#[derive(Debug)]
pub enum Failed {
    /// The server answered no (or nothing was sent): it does not hold the
    /// mail, which may be tried again.
    NotSent(String),
    /// The exchange broke after the message began to leave: the server may
    /// or may not hold it.
    Unknown(String),
}

impl Smtp {
    /// Reads lettre's URL forms: `smtp://[user:pass@]host[:port][/hello]`
    /// with `?tls=required|opportunistic`, or `smtps://…`.
    pub fn from_url(url: &str, keep_idle: usize, timeout: Duration) -> Result<Self, String> {
        let url = url::Url::parse(url).map_err(|e| e.to_string())?;
        let host = url
            .host_str()
            .ok_or("the URL names no host")?
            .trim_matches(['[', ']'])
            .to_owned();
        let tls_param = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let params = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        let (tls, default_port) = match (url.scheme(), tls_param.as_deref()) {
            ("smtp", None) => (Tls::None, 25),
            ("smtp", Some("opportunistic")) => (Tls::Opportunistic(params()?), 587),
            ("smtp", Some("required")) => (Tls::Required(params()?), 587),
            ("smtps", _) => (Tls::Wrapper(params()?), 465),
            (scheme, tls) => {
                return Err(format!(
                    "unknown scheme '{scheme}' or tls parameter {tls:?} (smtp://, smtps://, ?tls=required|opportunistic)"
                ));
            }
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let credentials = url
            .password()
            .map(|password| Credentials::new(decode(url.username()), decode(password)));
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Ok(Self {
            port: url.port().unwrap_or(default_port),
            host,
            tls,
            credentials,
            hello,
            timeout,
            idle: Mutex::new(Vec::new()),
            keep_idle,
        })
    }

    /// MAIL, RCPT and DATA on a kept connection, or on a new one when the
    /// kept one turns out closed; the server has taken nothing yet.
    pub async fn open(&self, envelope: &Envelope, message: &[u8]) -> Result<Open<'_>, String> {
        let kept = self.idle.lock().await.pop();
        if let Some(mut conn) = kept
            && begin(&mut conn, envelope, message).await.is_ok()
        {
            return Ok(Open { smtp: self, conn });
        }
        let mut conn = self.connect().await.map_err(|e| e.to_string())?;
        begin(&mut conn, envelope, message).await?;
        Ok(Open { smtp: self, conn })
    }

    async fn connect(
        &self,
    ) -> Result<AsyncSmtpConnection, Box<dyn std::error::Error + Send + Sync>> {
        let timeout = Some(self.timeout);
        let mut conn = match &self.tls {
            Tls::Wrapper(params) => {
                AsyncSmtpConnection::connect_tokio1(
                    (self.host.as_str(), self.port),
                    timeout,
                    &self.hello,
                    Some(params.clone()),
                    None,
                )
                .await?
            }
            _ => {
                let stream = tokio::time::timeout(
                    self.timeout,
                    tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
                )
                .await
                .map_err(|_| "connecting timed out")??;
                stream.set_nodelay(true)?;
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?
            }
        };
        match &self.tls {
            Tls::Opportunistic(params) if conn.can_starttls() => {
                conn.starttls(params.clone(), &self.hello).await?;
            }
            Tls::Required(params) => conn.starttls(params.clone(), &self.hello).await?,
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(conn)
    }

    async fn keep(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().await;
        if idle.len() < self.keep_idle && !conn.has_broken() {
            idle.push(conn);
        }
    }
}

impl Open<'_> {
    /// Sends the message and the final dot; `Ok` once the server took it.
    pub async fn finish(mut self, message: &[u8]) -> Result<(), Failed> {
        match self.conn.message(message).await {
            Ok(_) => {
                self.smtp.keep(self.conn).await;
                Ok(())
            }
            // A reply: the server looked at the message and said no.
            Err(e) if e.is_transient() || e.is_permanent() => Err(Failed::NotSent(e.to_string())),
            Err(e) => Err(Failed::Unknown(e.to_string())),
        }
    }
}

/// The envelope up to DATA, with the parameters lettre's own `send` adds.
async fn begin(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    message: &[u8],
) -> Result<(), String> {
    let mut params = Vec::new();
    let addresses = envelope.from().into_iter().chain(envelope.to());
    if addresses.map(|a| a.as_ref()).any(|a: &str| !a.is_ascii()) {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err("the address is not ASCII and the server lacks SMTPUTF8".to_owned());
        }
        params.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err("the message is not ASCII and the server lacks 8BITMIME".to_owned());
        }
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let step = |e: lettre::transport::smtp::Error| e.to_string();
    conn.command(Mail::new(envelope.from().cloned(), params))
        .await
        .map_err(step)?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), vec![]))
            .await
            .map_err(step)?;
    }
    conn.command(Data).await.map_err(step)?;
    Ok(())
}
