//! What the whole-system tests share: a `hub dev` of their own (database,
//! RabbitMQ names, port) and a caller that retries as a real client would.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// One `hub dev` on a database and RabbitMQ names of its own.
pub struct Hub {
    pub db_url: String,
    admin_url: String,
    db_name: String,
    prefix: String,
    pub port: u16,
    child: Option<Child>,
}

impl Hub {
    pub fn new(name: &str) -> Self {
        let admin_url = std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let id = uuid::Uuid::new_v4().simple().to_string();
        let db_name = format!("hub_{name}_{id}");
        let db_url = format!("{}/{db_name}", admin_url.rsplit_once('/').expect("a URL").0);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        Self {
            db_url,
            admin_url,
            db_name,
            prefix: format!("{name}_{id}."),
            port,
            child: None,
        }
    }

    /// Where every start's log goes (appended), named on failure.
    fn log(&self) -> std::fs::File {
        let path = std::env::temp_dir().join(format!("{}.log", self.db_name));
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("a log file")
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts `hub dev` and waits until it says it is running.
    pub fn start(&mut self) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hub"))
            .arg("dev")
            .env("HUB_DATABASE__URL", &self.db_url)
            .env("HUB_HTTP__ADDR", format!("127.0.0.1:{}", self.port))
            .env("HUB_AMQP__PREFIX", &self.prefix)
            .env("HUB_PAYMENTS__SANDBOX_DELAY_MS", "0")
            .env("HUB_PAYOUTS__CHECK_AFTER_SECS", "1")
            .env("HUB_SCHEDULER__POLL_MS", "100")
            .env("HUB_DEV__EPHEMERAL", "1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(self.log())
            .spawn()
            .expect("start hub dev");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let mut log = self.log();
        std::thread::spawn(move || {
            use std::io::Write;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = writeln!(log, "{line}");
                if line.contains("Hub is running") {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(Duration::from_secs(120)).is_err() {
            let _ = child.kill();
            panic!(
                "hub dev did not start within 120 s; its log: {}",
                std::env::temp_dir()
                    .join(format!("{}.log", self.db_name))
                    .display()
            );
        }
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    #[allow(dead_code)] // not every test kills
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9");
            child.wait().expect("reap");
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = Command::new("psql")
            .args([
                &self.admin_url,
                "-qc",
                &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.db_name),
            ])
            .status();
    }
}

/// A caller that keeps trying through kills and restarts, as a real client
/// behind a flaky network would: same body, same key.
pub struct Caller {
    http: reqwest::Client,
    base: String,
    login: (String, String),
    token: Mutex<Option<String>>,
}

impl Caller {
    pub fn new(base: String, login: (&str, &str)) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("http client"),
            base,
            login: (login.0.to_owned(), login.1.to_owned()),
            token: Mutex::new(None),
        }
    }

    pub async fn token(&self) -> Option<String> {
        let mut token = self.token.lock().await;
        if token.is_none() {
            let res = self
                .http
                .post(format!("{}/api/v1/auth/login", self.base))
                .json(&json!({"email": self.login.0, "password": self.login.1}))
                .send()
                .await
                .ok()?;
            if !res.status().is_success() {
                return None;
            }
            let body: Value = res.json().await.ok()?;
            *token = body["access_token"].as_str().map(str::to_owned);
        }
        token.clone()
    }

    /// POSTs until an answer in `ok` comes back; returns (status, body).
    pub async fn post(
        &self,
        path: &str,
        key: Option<&str>,
        body: Value,
        ok: &[u16],
    ) -> (u16, Value) {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            assert!(Instant::now() < deadline, "POST {path} never succeeded");
            let Some(token) = self.token().await else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            let mut req = self
                .http
                .post(format!("{}{path}", self.base))
                .bearer_auth(&token)
                .json(&body);
            if let Some(key) = key {
                req = req.header("Idempotency-Key", key);
            }
            let Ok(res) = req.send().await else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            let status = res.status().as_u16();
            let answer: Value = res.json().await.unwrap_or(Value::Null);
            match status {
                s if ok.contains(&s) => return (s, answer),
                401 => *self.token.lock().await = None,
                // The stream kept changing, or the server is busy restarting.
                409 | 500 | 502 | 503 => tokio::time::sleep(Duration::from_millis(100)).await,
                s => panic!("POST {path} answered {s}: {answer}"),
            }
        }
    }
}

/// Server-sent events read from a streaming response.
#[allow(dead_code)] // not every test watches a stream
pub struct Stream {
    res: reqwest::Response,
    buf: String,
}

#[allow(dead_code)]
impl Stream {
    /// Opens `/api/v1/events/stream` as the holder of `token`.
    pub async fn open(base: &str, token: &str) -> Self {
        let res = reqwest::Client::new()
            .get(format!("{base}/api/v1/events/stream"))
            .bearer_auth(token)
            .send()
            .await
            .expect("open the stream");
        assert_eq!(res.status(), 200, "the stream opens");
        Self {
            res,
            buf: String::new(),
        }
    }

    /// The next named event (name, JSON data) before `deadline`; `None` on
    /// timeout or end. Comments (keep-alives) are skipped.
    pub async fn next(&mut self, deadline: tokio::time::Instant) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..end + 2).collect();
                let mut name = None;
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(n) = line.strip_prefix("event:") {
                        name = Some(n.trim().to_owned());
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim_start());
                    }
                }
                match (name, serde_json::from_str(&data)) {
                    (Some(name), Ok(data)) => return Some((name, data)),
                    _ => continue,
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Waits for a `subscription` event about `id` that `accept` likes.
    pub async fn subscription(
        &mut self,
        id: &str,
        within: Duration,
        accept: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let (name, data) = self.next(deadline).await?;
            if name == "subscription" && data["id"] == id && accept(&data) {
                return Some(data);
            }
        }
    }
}
