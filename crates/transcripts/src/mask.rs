//! What truly varies between two runs of the same command, and nothing else.
//!
//! Both sides, the book's line and the real one, go through [`line`] before
//! they are compared, so the book can keep the values a reader really saw
//! (`date: Thu, 26 Nov 2026 11:14:24 GMT`) instead of placeholders. Each
//! rule below names what it hides; a difference anywhere else is a drift.

/// Header names whose whole value changes from run to run: the time of the
/// answer, and a file's modification time and the tag built from it.
const VARYING_HEADERS: [&str; 3] = ["date:", "last-modified:", "etag:"];

/// Cargo's own progress lines, which depend on what was built before
/// (`Compiling ...` on a first run, only `Finished` on the next): a
/// transcript shows none of them, and none is compared.
const CARGO_PROGRESS: [&str; 6] = [
    "Compiling ",
    "Finished ",
    "Running ",
    "Blocking ",
    "Updating ",
    "Downloaded ",
];

/// The lines worth comparing, masked: cargo's progress and the switcher's
/// failed early probes left out.
pub fn lines(text: &[String]) -> Vec<String> {
    text.iter()
        .filter(|l| !CARGO_PROGRESS.iter().any(|p| l.trim_start().starts_with(p)))
        .filter_map(|l| health_probe(l).unwrap_or_else(|| Some(line(l))))
        .collect()
}

/// The switcher's health probes (`  health   501 ms: UP`): how many fail
/// before a new copy is up, and after how many milliseconds, depends on the
/// machine. The failures are left out and the time masked; the line that
/// says UP stays.
fn health_probe(text: &str) -> Option<Option<String>> {
    let rest = text.trim_start().strip_prefix("health")?;
    let (time, result) = rest.split_once(" ms: ")?;
    time.trim().parse::<u64>().ok()?;
    Some((result.trim_end() == "UP").then(|| "health <ms>: UP".to_string()))
}

/// `line` with the varying parts replaced by placeholders.
pub fn line(text: &str) -> String {
    let text = text.trim_end();
    let lower = text.to_ascii_lowercase();
    for header in VARYING_HEADERS {
        if lower.starts_with(header) {
            return format!("{header} <varies>");
        }
    }
    // A variable that differs on every machine or connection, in a CGI
    // script's dump of its environment.
    for name in ["PATH=", "REMOTE_PORT="] {
        if text.starts_with(name) {
            return format!("{name}<varies>");
        }
    }
    let text = timestamps(text);
    // A log line's leading time: the book may leave it out to save width.
    let text = text
        .strip_prefix("<time>")
        .map_or(text.as_str(), str::trim_start);
    let text = checkout(text);
    let text = ephemeral_ports(&text);
    let text = gunicorn_time(&text);
    let text = process_ids(&text);
    columns(&text)
}

/// Runs of spaces as one: tools pad their columns to the widest value
/// (`ss`, `portaudit`), and widths follow the values.
fn columns(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = false;
    for ch in text.chars() {
        if ch == ' ' && last_space {
            continue;
        }
        last_space = ch == ' ';
        out.push(ch);
    }
    out
}

/// gunicorn's log time, `[2026-11-26 11:02:04 +0000]`.
fn gunicorn_time(text: &str) -> String {
    let shape = b"[dddd-dd-dd dd:dd:dd +dddd]";
    if fits(text.as_bytes(), shape) {
        format!("[<time>]{}", &text[shape.len()..])
    } else {
        text.to_string()
    }
}

/// Where the reader cloned the repository: an absolute path up to one of
/// its top-level directories (`/home/ana/deploy-workbook/playground/...`).
fn checkout(text: &str) -> String {
    for top in ["/playground/", "/crates/", "/labs/", "/book/"] {
        if let Some(at) = text.find(top) {
            let start = text[..at]
                .rfind(['=', ' ', '(', '\'', '"'])
                .map_or(0, |i| i + 1);
            if text[start..at].starts_with('/') {
                return format!(
                    "{}<checkout>{}",
                    &text[..start],
                    checkout(&text[at..]).as_str()
                );
            }
        }
    }
    text.to_string()
}

/// Process ids, which the kernel hands out: after `pid=`, `pid: `, `pid `
/// and `process ` (ss, gunicorn, the switcher, a CGI script reporting its
/// own), and a number alone in brackets or parentheses (`[4714]`,
/// `demo-was(30534)`), as gunicorn and portaudit print them.
fn process_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for mark in ["pid=", "pid: ", "pid ", "process "] {
            if let Some(after) = rest.strip_prefix(mark) {
                let digits = after.bytes().take_while(u8::is_ascii_digit).count();
                if digits > 0 {
                    out.push_str(mark);
                    out.push_str("<pid>");
                    rest = &after[digits..];
                    continue 'scan;
                }
            }
        }
        // `(demo-was 30534)`: a name, a space, a pid (four digits or more,
        // so `(os error 111)` keeps its number).
        if let Some(after) = rest.strip_prefix(' ') {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if digits >= 4 && after[digits..].starts_with(')') {
                out.push_str(" <pid>");
                rest = &after[digits..];
                continue 'scan;
            }
        }
        for (open, close) in [('[', ']'), ('(', ')')] {
            if let Some(after) = rest.strip_prefix(open) {
                let digits = after.bytes().take_while(u8::is_ascii_digit).count();
                if digits >= 3 && after[digits..].starts_with(close) {
                    out.push(open);
                    out.push_str("<pid>");
                    rest = &after[digits..];
                    continue 'scan;
                }
            }
        }
        let ch = rest.chars().next().expect("rest is not empty");
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    out
}

/// RFC 3339 timestamps, as tracing prints them
/// (`2026-11-26T11:14:24.767890Z`): every log line starts with one.
fn timestamps(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(len) = timestamp_at(rest.as_bytes()) {
            out.push_str("<time>");
            rest = &rest[len..];
        } else {
            // One whole character (the text may hold non-ASCII).
            let ch = rest.chars().next().expect("rest is not empty");
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    out
}

/// The length of a timestamp at the start of `b`, if one is there:
/// `dddd-dd-ddTdd:dd:dd`, an optional fraction, then `Z`.
fn timestamp_at(b: &[u8]) -> Option<usize> {
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if !fits(b, shape) {
        return None;
    }
    let mut len = shape.len();
    if b.get(len) == Some(&b'.') {
        len += 1;
        while b.get(len).is_some_and(u8::is_ascii_digit) {
            len += 1;
        }
    }
    (b.get(len) == Some(&b'Z')).then_some(len + 1)
}

/// Whether `b` starts with `shape`, where `d` stands for any digit.
fn fits(b: &[u8], shape: &[u8]) -> bool {
    b.len() >= shape.len()
        && b.iter().zip(shape).all(|(have, want)| match want {
            b'd' => have.is_ascii_digit(),
            other => have == other,
        })
}

/// The client side of a loopback connection (`peer=127.0.0.1:57584`):
/// the kernel picks that port for each connection.
fn ephemeral_ports(text: &str) -> String {
    const MARK: &str = "peer=127.0.0.1:";
    let Some(at) = text.find(MARK) else {
        return text.to_string();
    };
    let after = at + MARK.len();
    let digits = text[after..].bytes().take_while(u8::is_ascii_digit).count();
    format!(
        "{}<port>{}",
        &text[..after],
        ephemeral_ports(&text[after + digits..])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varying_headers_keep_their_name_and_lose_their_value() {
        assert_eq!(
            line("date: Thu, 26 Nov 2026 11:14:24 GMT"),
            "date: <varies>"
        );
        assert_eq!(line("ETag: \"fa-18eb\""), "etag: <varies>");
        assert_eq!(line("content-length: 55"), "content-length: 55");
    }

    #[test]
    fn log_timestamps_are_masked_wherever_they_are() {
        assert_eq!(
            line("2026-11-26T11:14:20.577033Z  INFO demo-was (profile a) listening"),
            "INFO demo-was (profile a) listening"
        );
        assert_eq!(line("at 2026-11-26T11:14:20Z."), "at <time>.");
        assert_eq!(
            line("2026-11-26 is a date, not a time"),
            "2026-11-26 is a date, not a time"
        );
    }

    #[test]
    fn only_the_clients_port_is_masked() {
        assert_eq!(
            line("INFO GET /hello -> 200 peer=127.0.0.1:57584"),
            "INFO GET /hello -> 200 peer=127.0.0.1:<port>"
        );
        assert_eq!(
            line("listening on http://127.0.0.1:9001"),
            "listening on http://127.0.0.1:9001"
        );
    }

    #[test]
    fn process_ids_are_masked_where_programs_print_them() {
        assert_eq!(line("Hello, process 1851"), "Hello, process <pid>");
        assert_eq!(line("one process per request"), "one process per request");
        assert_eq!(
            line("users:((\"demo-was\",pid=30537,fd=9))"),
            "users:((\"demo-was\",pid=<pid>,fd=9))"
        );
        assert_eq!(
            line("[2026-11-26 11:02:04 +0000] [4772] [INFO] Booting worker with pid: 4772"),
            "[<time>] [<pid>] [INFO] Booting worker with pid: <pid>"
        );
        assert_eq!(
            line("tcp 0.0.0.0 8081 all exposed demo-was(30534)"),
            "tcp 0.0.0.0 8081 all exposed demo-was(<pid>)"
        );
        assert_eq!(line("(2 checks) [1]"), "(2 checks) [1]");
        assert_eq!(
            line("tcp 0.0.0.0:8081 (demo-was 30534) must"),
            "tcp 0.0.0.0:8081 (demo-was <pid>) must"
        );
        assert_eq!(line("(os error 111)"), "(os error 111)");
    }

    #[test]
    fn cargos_progress_is_left_out() {
        let text = [
            "   Compiling demo-was v0.1.0".to_string(),
            "    Finished `dev`".into(),
            "ok".into(),
        ];
        assert_eq!(lines(&text), vec!["ok"]);
    }

    #[test]
    fn the_checkouts_own_path_is_masked() {
        assert_eq!(
            line("DOCUMENT_ROOT=/work/wt-ch4/playground/ch4/cgi-bin"),
            "DOCUMENT_ROOT=<checkout>/playground/ch4/cgi-bin"
        );
        assert_eq!(line("see playground/ch4/x"), "see playground/ch4/x");
    }

    #[test]
    fn column_padding_does_not_count() {
        assert_eq!(line("tcp    0.0.0.0    8081"), "tcp 0.0.0.0 8081");
    }

    #[test]
    fn only_the_switchers_successful_probe_is_kept_and_without_its_time() {
        let text = [
            "  health     0 ms: Connection refused (os error 111)".to_string(),
            "  health   501 ms: UP".into(),
        ];
        assert_eq!(lines(&text), vec!["health <ms>: UP"]);
    }

    #[test]
    fn trailing_spaces_do_not_count() {
        assert_eq!(line("200 a   "), "200 a");
    }
}
