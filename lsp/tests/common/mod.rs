//! A client for end-to-end tests: spawns the real `gtc-lsp` binary and speaks JSON-RPC
//! with Content-Length framing over its stdin and stdout.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The corpus set `name` under `../shared/corpus`; its absence fails when `CI` is set.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(name);
    let found = dir.canonicalize().ok();
    assert!(
        found.is_some() || std::env::var_os("CI").is_none(),
        "CI is set and {} is missing",
        dir.display()
    );
    found
}

/// How long any one answer may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A running server.
pub struct Server {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications received but not yet looked at.
    pub notifications: VecDeque<Value>,
    /// Requests the server sent (each was answered with `null`).
    pub server_requests: Vec<Value>,
    /// Responses received before they were waited for, by id.
    responses: std::collections::HashMap<i64, Value>,
    next_id: i64,
    /// The workspace root.
    pub root: PathBuf,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Server {
    /// Start the server on `root` and initialize it; `utf8` offers UTF-8 positions.
    pub fn start(root: &Path, utf8: bool) -> Server {
        Server::start_with_env(root, utf8, &[])
    }

    /// [`Server::start`], with these environment variables set for the server.
    pub fn start_with_env(root: &Path, utf8: bool, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gtc-lsp"))
            .env_remove("GTC_DEBUG_PANIC_ON")
            .envs(env.iter().copied())
            .env("GTC_LSP_TEST_HOOKS", "1")
            .env("HOME", root.join(".home"))
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("GTC_LSP_STDERR").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("gtc-lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        let mut s = Server {
            child,
            stdin,
            incoming,
            notifications: VecDeque::new(),
            responses: std::collections::HashMap::new(),
            server_requests: Vec::new(),
            next_id: 0,
            root: root.to_path_buf(),
        };
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let init = s.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": s.uri(""),
                "workspaceFolders": [{"uri": s.uri(""), "name": "w"}],
                "capabilities": {
                    "general": {"positionEncodings": encodings},
                    "workspace": {
                        "didChangeWatchedFiles": {"dynamicRegistration": true},
                        "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]}
                    },
                    "textDocument": {"publishDiagnostics": {"relatedInformation": true}}
                }
            }),
        );
        assert!(init.get("result").is_some(), "initialize failed: {init}");
        s.notify("initialized", json!({}));
        s
    }

    /// The `file://` URI of a path under the root.
    pub fn uri(&self, rel: &str) -> String {
        let p = if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        };
        format!("file://{}", p.display())
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Send a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(m) => {
                // Requests from the server (registerCapability ...) are acknowledged.
                if m.get("id").is_some() && m.get("method").is_some() {
                    let id = m["id"].clone();
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                    self.server_requests.push(m.clone());
                }
                m
            }
            Err(RecvTimeoutError::Timeout) => panic!("no message from gtc-lsp within {TIMEOUT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("gtc-lsp closed its output"),
        }
    }

    /// Wait for the response to request `id` (the whole message: `result` or `error`).
    pub fn response(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(m) = self.responses.remove(&id) {
                return m;
            }
            let m = self.next(deadline);
            self.stash(m);
        }
    }

    /// Send a request and wait for its response message.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Send a request and return its `result` (failing on an error).
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let m = self.request(method, params);
        match m.get("result") {
            Some(r) => r.clone(),
            None => panic!("{method} failed: {m}"),
        }
    }

    /// The diagnostics of the first publication for `rel` that satisfies `pred`.
    pub fn diagnostics(&mut self, rel: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let params = self.publication(rel, pred);
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The parameters (uri, version, diagnostics) of the first publication for `rel` whose
    /// diagnostics satisfy `pred`, skipping older ones.
    pub fn publication(&mut self, rel: &str, pred: impl Fn(&[Value]) -> bool) -> Value {
        let uri = self.uri(rel);
        self.publication_of_uri(&uri, pred)
    }

    /// [`Server::diagnostics`] of a file named by its URI (outside the root).
    pub fn diagnostics_of_uri(&mut self, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let params = self.publication_of_uri(uri, pred);
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// [`Server::publication`] of a file named by its URI.
    pub fn publication_of_uri(&mut self, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Value {
        self.notification("textDocument/publishDiagnostics", |p| {
            (p["uri"] == uri).then(|| pred(p["diagnostics"].as_array().map_or(&[], Vec::as_slice)))
        })
    }

    /// The parameters of the first `method` notification that `matches` says is the one
    /// (`Some(true)`); those it says are older ones (`Some(false)`) are dropped, those it
    /// says are not its concern (`None`) stay queued.
    pub fn notification(
        &mut self,
        method: &str,
        matches: impl Fn(&Value) -> Option<bool>,
    ) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Vec::new();
        loop {
            while let Some(i) = self
                .notifications
                .iter()
                .position(|n| n["method"] == method && matches(&n["params"]).is_some())
            {
                let n = self.notifications.remove(i).unwrap();
                if matches(&n["params"]) == Some(true) {
                    return n["params"].clone();
                }
                seen.push(n["params"].clone());
            }
            if Instant::now() >= deadline {
                panic!("no matching {method}; seen: {seen:?}");
            }
            let m = self.next(deadline);
            self.stash(m);
        }
    }

    /// Keep a notification or a response for later (server requests were answered).
    fn stash(&mut self, m: Value) {
        match (m.get("id").and_then(Value::as_i64), m.get("method")) {
            (None, _) => self.notifications.push_back(m),
            (Some(id), None) => {
                self.responses.insert(id, m);
            }
            (Some(_), Some(_)) => {}
        }
    }

    /// Open a document with its text on disk.
    pub fn open(&mut self, rel: &str) {
        let text = std::fs::read_to_string(self.root.join(rel)).unwrap();
        let lang = if rel.ends_with(".json") {
            "json"
        } else if rel.ends_with(".toml") {
            "toml"
        } else {
            "yaml"
        };
        self.notify("textDocument/didOpen", json!({"textDocument": {"uri": self.uri(rel), "languageId": lang, "version": 1, "text": text}}));
    }

    /// `shutdown` then `exit`; returns whether the process exited with status 0.
    pub fn shutdown(mut self) -> bool {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The server's resident memory (Linux), in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// `value` as pretty JSON with the root replaced by `$ROOT` (for snapshots).
    pub fn show(&self, value: &Value) -> String {
        serde_json::to_string_pretty(value)
            .unwrap()
            .replace(&self.root.display().to_string(), "$ROOT")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A position `{line, character}`.
pub fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// The position of the first `needle` in `text` (0-based line, column in UTF-16 or bytes).
pub fn find(text: &str, needle: &str, utf8: bool) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = if utf8 {
        at - line_start
    } else {
        text[line_start..at].encode_utf16().count()
    };
    pos(line, col as u32)
}

/// A temporary workspace with `files` (relative path, text).
pub fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("gtc-lsp-")
        .tempdir()
        .unwrap();
    for (rel, text) in files {
        let p = dir.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, text).unwrap();
    }
    dir
}
