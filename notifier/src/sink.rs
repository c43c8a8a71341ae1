//! A small SMTP server that keeps what it receives: `hub dev`'s mailbox and
//! the tests' mail server. It speaks just enough SMTP for a client such as
//! lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no auth) and
//! never relays anything anywhere.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// One received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message as sent (headers and body, dot-unstuffed).
    pub data: String,
}

impl Received {
    /// The subject as a reader sees it: RFC 2047 words decoded (adjacent
    /// ones join without spaces; a word may split a character).
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    /// The `text/plain` part, its transfer encoding undone.
    pub fn text(&self) -> Option<String> {
        let at = self.data.find("Content-Type: text/plain")?;
        let part = &self.data[at..];
        let (head, rest) = part.split_once("\r\n\r\n")?;
        let body = rest.split("\r\n--").next().unwrap_or_default();
        let encoding = head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("Content-Transfer-Encoding:"))
            .map(|e| e.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = match encoding.as_str() {
            "base64" => BASE64.decode(body.replace("\r\n", "")).ok()?,
            "quoted-printable" => quoted_printable(body),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8(bytes).ok()
    }

    /// A header's value (first occurrence, unfolded), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut found: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(value) = &mut found {
                // Unfolding drops the line break, not the whitespace.
                if line.starts_with([' ', '\t']) {
                    value.push_str(line);
                    continue;
                }
                break;
            }
            if let Some((key, value)) = line.split_once(':')
                && key.eq_ignore_ascii_case(name)
            {
                found = Some(value.trim().to_owned());
            }
        }
        found
    }
}

/// The mailbox and the address it listens on.
#[derive(Clone)]
pub struct Sink {
    addr: std::net::SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    arrivals: broadcast::Sender<Received>,
    /// Between keeping a message and saying so: a slow server, where a
    /// sender that dies in between never learns its mail arrived.
    reply_delay: std::time::Duration,
}

impl Sink {
    /// Listens on `addr` (port 0 for any) and serves until the runtime ends.
    pub async fn start(addr: &str) -> std::io::Result<Self> {
        Self::start_slow(addr, std::time::Duration::ZERO).await
    }

    /// The same, answering each message `reply_delay` after keeping it.
    pub async fn start_slow(addr: &str, reply_delay: std::time::Duration) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let (arrivals, _) = broadcast::channel(1024);
        let sink = Self {
            addr: listener.local_addr()?,
            received: Arc::default(),
            arrivals,
            reply_delay,
        };
        let serving = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let session = serving.clone();
                tokio::spawn(async move {
                    if let Err(error) = session.serve(stream).await {
                        tracing::debug!(%error, "mail sink session ended");
                    }
                });
            }
        });
        Ok(sink)
    }

    /// `smtp://host:port`, for `HUB_SMTP__URL`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Everything received so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Each message as it arrives.
    pub fn subscribe(&self) -> broadcast::Receiver<Received> {
        self.arrivals.subscribe()
    }

    async fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 hub mail sink\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_owned();
            let verb = command
                .split([' ', ':'])
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" => b"250-hub mail sink\r\n250 8BITMIME\r\n",
                "HELO" | "NOOP" => b"250 ok\r\n",
                "MAIL" => {
                    from = address(&command);
                    to.clear();
                    b"250 ok\r\n"
                }
                "RCPT" => {
                    to.push(address(&command));
                    b"250 ok\r\n"
                }
                "RSET" => {
                    from.clear();
                    to.clear();
                    b"250 ok\r\n"
                }
                "DATA" => {
                    write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                    let data = read_data(&mut lines).await?;
                    let message = Received {
                        from: std::mem::take(&mut from),
                        to: std::mem::take(&mut to),
                        data,
                    };
                    self.received
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(message.clone());
                    let _ = self.arrivals.send(message);
                    tokio::time::sleep(self.reply_delay).await;
                    b"250 queued\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await?;
                    return Ok(());
                }
                _ => b"502 not implemented\r\n",
            };
            write.write_all(reply).await?;
        }
    }
}

/// Decodes RFC 2047 `=?utf-8?b?..?=` and `=?utf-8?q?..?=` words.
fn decode_words(raw: &str) -> String {
    let (mut out, mut bytes) = (String::new(), Vec::new());
    for word in raw.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        let decoded = if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            BASE64.decode(&word[10..word.len() - 2]).ok()
        } else if lower.starts_with("=?utf-8?q?") && word.ends_with("?=") {
            Some(quoted_printable(
                &word[10..word.len() - 2].replace('_', " "),
            ))
        } else {
            None
        };
        match decoded {
            Some(decoded) => {
                if bytes.is_empty() && !out.is_empty() {
                    out.push(' ');
                }
                bytes.extend(decoded);
            }
            None => {
                out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut bytes)));
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}

/// Undoes quoted-printable (soft line breaks included).
fn quoted_printable(text: &str) -> Vec<u8> {
    let text = text.replace("=\r\n", "");
    let raw = text.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'='
            && i + 2 < raw.len()
            && let (Some(hi), Some(lo)) = (hex(raw[i + 1]), hex(raw[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// The address inside `MAIL FROM:<a>` / `RCPT TO:<a>`.
fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_owned())
        .unwrap_or_default()
}

/// Lines up to the lone dot, dot-unstuffed, joined with CRLF.
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(lines: &mut R) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            return Ok(data);
        }
        data.push_str(content.strip_prefix('.').unwrap_or(content));
        data.push_str("\r\n");
    }
}
