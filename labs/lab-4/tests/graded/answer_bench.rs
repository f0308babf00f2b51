//! The test bench: a real cgi-runner, mounted at `/cgi-bin/`, running your
//! function, with the scripts a test hands it.

use std::os::unix::fs::PermissionsExt;

use cgi_runner::{Cgi, Config, Hooks};
use testkit::graded::Failure;
use testkit::http::Answer;

pub struct Bench {
    running: cgi_runner::Running,
    _dir: tempfile::TempDir,
}

impl Bench {
    /// cgi-runner with your `end_of_head` (and its own `parse_head`, so
    /// this part is graded on its own).
    pub async fn for_end_of_head(scripts: &[(&str, &str)]) -> Bench {
        let hooks = Hooks {
            end_of_head: lab_4::end_of_head,
            ..Hooks::default()
        };
        Bench::start(hooks, scripts).await
    }

    /// cgi-runner with your `parse_head` (and its own `end_of_head`).
    pub async fn for_parse_head(scripts: &[(&str, &str)]) -> Bench {
        let hooks = Hooks {
            parse_head: lab_4::parse_head,
            ..Hooks::default()
        };
        Bench::start(hooks, scripts).await
    }

    async fn start(hooks: Hooks, scripts: &[(&str, &str)]) -> Bench {
        // Your `todo!()` panics inside the server: one line each, never a
        // backtrace, whatever RUST_BACKTRACE says.
        testkit::graded::quiet_panics();
        let dir = tempfile::tempdir().expect("a temp dir");
        let root = dir.path().join("cgi");
        std::fs::create_dir_all(&root).unwrap();
        for (name, text) in scripts {
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
        Bench { running, _dir: dir }
    }

    pub async fn get(&self, target: &str) -> Answer {
        testkit::http::get(self.running.local_addr(), target)
            .await
            .unwrap_or_else(|error| panic!("GET {target}: cgi-runner did not answer: {error}"))
    }

    pub async fn stop(self) {
        self.running.stop().await;
    }
}

/// Skips (or, in CI, fails) when the script's interpreter is missing.
pub fn have(tool: &str) -> bool {
    testkit::tool(tool).is_some()
}

/// The graded failure: what the script printed, what the client should
/// have got, what it got, and where to reread.
#[track_caller]
pub fn fail(script_printed: &str, expected: &str, answer: &Answer, section: &str) -> ! {
    let mut headers: Vec<String> = answer
        .headers
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "date" | "transfer-encoding" | "content-length"
            )
        })
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    if headers.is_empty() {
        headers.push("no headers".into());
    }
    let body = answer.text();
    Failure {
        request: format!("GET a script that prints {script_printed:?}"),
        expected: expected.to_string(),
        got: format!(
            "{} ({}) with body {:.200?}",
            answer.status,
            headers.join(", "),
            body
        ),
        chapter: 4,
        section: section.to_string(),
    }
    .fail()
}

/// The one line cgi-runner answers with when it refuses a header block.
pub fn refused(answer: &Answer) -> bool {
    answer.status == 500 && answer.text().contains(cgi_runner::MALFORMED)
}
