//! The `cgi-runner` binary, run for real: what a user sees.

use std::process::Command;

use testkit::{Process, Signal};

fn root_with(scripts: &[(&str, &str)]) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in scripts {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

fn start(root: &std::path::Path, extra_env: &[(&str, &str)]) -> (Process, String) {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("cgi-runner"));
    command
        .args(["--root"])
        .arg(root)
        .args(["--listen", "127.0.0.1:0"])
        .envs(extra_env.iter().copied());
    let mut server = Process::spawn(&mut command);
    let line = server.wait_for_line_containing("listening on http://");
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap()
        .to_string();
    (server, url)
}

/// Nothing of the server's own environment reaches a script but the
/// allow-list: a secret in the server's environment stays there.
#[test]
fn the_servers_environment_does_not_leak_into_scripts() {
    let Some(curl) = testkit::tool("curl") else {
        return;
    };
    let dir = root_with(&[(
        "env.sh",
        "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n",
    )]);
    let (mut server, url) = start(
        dir.path(),
        &[("DATABASE_PASSWORD", "hunter2"), ("LANG", "C.UTF-8")],
    );
    let body = testkit::curl(&curl, &[&format!("{url}/env.sh")]);
    assert!(!body.contains("hunter2"), "{body}");
    assert!(body.lines().any(|line| line.starts_with("PATH=")), "{body}");
    assert!(body.lines().any(|line| line == "LANG=C.UTF-8"), "{body}");
    server.signal(Signal::Term);
    server.assert_stops_cleanly();
}

/// What a script writes to stderr is logged with the script's name, and a
/// malformed answer's reason is logged, not shown to the client.
#[test]
fn stderr_and_malformed_headers_go_to_the_log_with_the_script_name() {
    let Some(curl) = testkit::tool("curl") else {
        return;
    };
    let dir = root_with(&[(
        "noisy.sh",
        "#!/bin/sh\necho 'disk almost full' >&2\nprintf 'Content-Type text/plain\\n\\nbody\\n'\n",
    )]);
    let (mut server, url) = start(dir.path(), &[]);
    let body = testkit::curl(&curl, &[&format!("{url}/noisy.sh")]);
    assert_eq!(
        body,
        "500 Internal Server Error: malformed header from script\n"
    );
    // Both lines come, in either order: the script's stderr and the
    // server's verdict on its answer race each other to the log.
    for text in [
        "noisy.sh (stderr): disk almost full",
        "noisy.sh: malformed header from script: not a header line",
    ] {
        if !server.seen().iter().any(|line| line.contains(text)) {
            server.wait_for_line_containing(text);
        }
    }
    server.signal(Signal::Term);
    server.assert_stops_cleanly();
}

#[test]
fn a_missing_root_is_a_one_line_error() {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("cgi-runner"))
        .args(["--root", "/no/such/dir", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("cgi-runner: error: cannot use /no/such/dir as the script directory"),
        "{stderr}"
    );
}
