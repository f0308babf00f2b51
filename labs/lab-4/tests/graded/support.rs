//! The test bench: a real cgi-runner, mounted at `/cgi-bin/` like Apache's
//! `ScriptAlias`, running your function, and three scripts that print the
//! environment they were given, one `NAME=value` per line.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use cgi_runner::{Cgi, Config, Hooks};
use testkit::graded::Failure;
use testkit::http::Answer;

/// `env.sh`, `env.pl` and `env.py` all print their environment; a test
/// picks one, so every language gets its turn.
const SCRIPTS: &[(&str, &str)] = &[
    ("env.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n"),
    (
        "env.pl",
        "#!/usr/bin/perl\nprint \"Content-Type: text/plain\\r\\n\\r\\n\";\nprint \"$_=$ENV{$_}\\n\" for sort keys %ENV;\n",
    ),
    (
        "env.py",
        "#!/usr/bin/env python3\nimport os\nprint('Content-Type: text/plain\\n')\nfor k in sorted(os.environ):\n    print(f'{k}={os.environ[k]}')\n",
    ),
];

pub struct Bench {
    running: cgi_runner::Running,
    dir: tempfile::TempDir,
}

impl Bench {
    /// cgi-runner with your `request_variables` (and its own
    /// `header_variables`, so this part is graded on its own).
    pub async fn for_request_variables() -> Bench {
        Bench::start(Hooks {
            request_variables: lab_4::request_variables,
            ..Hooks::default()
        })
        .await
    }

    /// cgi-runner with your `header_variables` (and its own
    /// `request_variables`).
    pub async fn for_header_variables() -> Bench {
        Bench::start(Hooks {
            header_variables: lab_4::header_variables,
            ..Hooks::default()
        })
        .await
    }

    async fn start(hooks: Hooks) -> Bench {
        // Your `todo!()` panics inside the server: one line each, never a
        // backtrace, whatever RUST_BACKTRACE says.
        testkit::graded::quiet_panics();
        let dir = tempfile::tempdir().expect("a temp dir");
        let root = dir.path().join("cgi");
        std::fs::create_dir_all(&root).unwrap();
        for (name, text) in SCRIPTS {
            let path = root.join(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut config = Config::new(&root);
        config.mount = "/cgi-bin/".into();
        let cgi = Cgi::new(config, hooks).expect("the script directory exists");
        let running = cgi_runner::start("127.0.0.1:0".parse().unwrap(), cgi)
            .await
            .expect("cgi-runner starts");
        Bench { running, dir }
    }

    pub fn addr(&self) -> SocketAddr {
        self.running.local_addr()
    }

    /// The script directory, as the server sees it (canonical).
    pub fn root(&self) -> PathBuf {
        std::fs::canonicalize(self.dir.path().join("cgi")).unwrap()
    }

    /// Sends `method target` with extra headers; the answer must come.
    pub async fn send(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Seen {
        let answer = testkit::http::request(self.addr(), method, target, headers)
            .await
            .unwrap_or_else(|error| {
                panic!("{method} {target}: cgi-runner did not answer: {error}")
            });
        Seen::new(describe(method, target, headers), answer)
    }

    /// Sends raw bytes as the whole request head.
    pub async fn send_raw(&self, shown: &str, raw: &[u8]) -> Seen {
        let answer = testkit::http::request_bytes(self.addr(), raw, false)
            .await
            .unwrap_or_else(|error| panic!("{shown}: cgi-runner did not answer: {error}"));
        Seen::new(shown.to_string(), answer)
    }

    pub async fn stop(self) {
        self.running.stop().await;
    }
}

/// Skips (or, in CI, fails) when the script's interpreter is missing.
pub fn have(tool: &str) -> bool {
    testkit::tool(tool).is_some()
}

fn describe(method: &str, target: &str, headers: &[(&str, &str)]) -> String {
    let mut shown = format!("{method} {target}");
    for (name, value) in headers {
        shown.push_str(&format!(" with `{name}: {value}`"));
    }
    shown
}

/// What the script printed: the environment it was started with.
pub struct Seen {
    request: String,
    answer: Answer,
}

impl Seen {
    fn new(request: String, answer: Answer) -> Seen {
        Seen { request, answer }
    }

    /// The value of `name` in the script's environment.
    pub fn variable(&self, name: &str) -> Option<String> {
        self.answer
            .text()
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_string)
    }

    /// Fails unless the script saw `name=value`.
    #[track_caller]
    pub fn expect(&self, name: &str, value: &str, section: &str) {
        if self.answer.status != 200 || self.variable(name).as_deref() != Some(value) {
            self.fail(&format!("the script sees {name}={value}"), name, section);
        }
    }

    /// Fails if the script saw `name` at all.
    #[track_caller]
    pub fn expect_absent(&self, name: &str, why: &str, section: &str) {
        if self.answer.status != 200 || self.variable(name).is_some() {
            self.fail(&format!("no {name} at all: {why}"), name, section);
        }
    }

    /// The graded failure: what was sent, expected, what the script saw
    /// (or the server's error), and where to reread.
    #[track_caller]
    pub fn fail(&self, expected: &str, name: &str, section: &str) -> ! {
        let got = if self.answer.status != 200 {
            let text = self.answer.text();
            format!(
                "{} from cgi-runner: {:.300}",
                self.answer.status,
                text.trim_end()
            )
        } else {
            match self.variable(name) {
                Some(value) => format!("the script saw {name}={value}"),
                None => {
                    let mut names: Vec<String> = self
                        .answer
                        .text()
                        .lines()
                        .filter_map(|line| line.split_once('=').map(|(key, _)| key.to_string()))
                        .collect();
                    names.sort();
                    format!("no {name}; the script saw: {}", names.join(" "))
                }
            }
        };
        Failure {
            request: self.request.clone(),
            expected: expected.to_string(),
            got,
            chapter: 4,
            section: section.to_string(),
        }
        .fail()
    }
}

/// `root` joined with `tail` as text, the way PATH_TRANSLATED spells it.
pub fn under(root: &Path, tail: &str) -> String {
    format!("{}{tail}", root.display())
}
