//! The command line on the chapter's captured tables and files: the table,
//! the rules, `check`, and clear errors that name the line.

mod support;

use assert_cmd::Command;
use predicates::prelude::*;
use support::root;

fn portaudit() -> Command {
    let mut command = Command::cargo_bin("portaudit").unwrap();
    command.current_dir(root());
    command
}

#[test]
fn the_captured_server_shows_what_listens_where() {
    portaudit()
        .args(["--proc", "playground/ch5/proc"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "tcp    127.0.0.1   3306   loopback     loopback only",
        ))
        .stdout(predicate::str::contains(
            "tcp    ::          8081   all (+IPv4)  exposed",
        ))
        .stdout(predicate::str::contains(
            "tcp    0.0.0.0     60022  all          exposed",
        ))
        // The ESTABLISHED connection on line 5 is not a listener.
        .stdout(predicate::str::contains("192.0.2.10").not());
}

#[test]
fn the_rules_block_the_application_ports() {
    portaudit()
        .args([
            "--proc",
            "playground/ch5/proc",
            "--rules",
            "playground/ch5/rules.txt",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "8081   all (+IPv4)  blocked by rule 5",
        ))
        .stdout(predicate::str::contains(
            "60022  all          blocked by the default policy",
        ));
    // From the office network, rule 4 lets ssh in.
    portaudit()
        .args([
            "--proc",
            "playground/ch5/proc",
            "--rules",
            "playground/ch5/rules.txt",
        ])
        .args(["--from", "192.0.2.5"])
        .assert()
        .stdout(predicate::str::contains(
            "60022  all          exposed (allowed by rule 4)",
        ));
}

/// The same rules as `ufw status verbose` prints them (the chapter's
/// `ufw-status.txt` is rules.txt as ufw would show it) give the same
/// verdicts, rule numbers included.
#[test]
fn saved_ufw_status_output_gives_the_same_verdicts() {
    let ufw = [
        "--proc",
        "playground/ch5/proc",
        "--ufw",
        "playground/ch5/ufw-status.txt",
    ];
    portaudit()
        .args(ufw)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "8081   all (+IPv4)  blocked by rule 5",
        ))
        .stdout(predicate::str::contains(
            "60022  all          blocked by the default policy",
        ));
    portaudit()
        .args(ufw)
        .args(["--from", "192.0.2.5"])
        .assert()
        .stdout(predicate::str::contains(
            "60022  all          exposed (allowed by rule 4)",
        ));
}

#[test]
fn check_prints_one_line_per_violation_and_fails() {
    portaudit()
        .args([
            "--proc",
            "playground/ch5/proc",
            "check",
            "playground/ch5/policy.toml",
        ])
        .assert()
        .code(1)
        .stdout(
            "tcp [::]:8081 must be loopback-only but listens on all addresses\n\
             tcp [::]:8082 must be loopback-only but listens on all addresses\n\
             tcp 0.0.0.0:60022 is reachable from outside but its port is not in `public`\n",
        );
}

#[test]
fn a_firewall_does_not_excuse_a_wildcard_bind() {
    // Blocked, but still a violation: loopback-only ports must be bound so.
    portaudit()
        .args(["--proc", "playground/ch5/proc", "--rules", "playground/ch5/rules.txt"])
        .args(["check", "playground/ch5/policy.toml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "tcp [::]:8081 must be loopback-only but listens on all addresses (blocked by rule 5; bind 127.0.0.1 as well)",
        ))
        .stdout(predicate::str::contains("60022").not());
}

#[test]
fn a_damaged_table_line_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(root().join("playground/ch5/proc/tcp")).unwrap();
    std::fs::write(
        dir.path().join("tcp"),
        good.replace("00000000:EA76", "0000000:EA76"),
    )
    .unwrap();
    portaudit()
        .arg("--proc")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/tcp:3: not a /proc/net socket line",
        ));
}

#[test]
fn bad_rules_and_policies_are_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.txt");
    std::fs::write(
        &rules,
        "default deny\nallow 22/tcp\nallow from 192.0.2.0/33 to port 80\n",
    )
    .unwrap();
    portaudit()
        .args(["--proc", "playground/ch5/proc", "--rules"])
        .arg(&rules)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rules.txt:3: \"192.0.2.0/33\": the prefix length must be 0 to 32",
        ));
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "public = [80]\nloopbackonly = [8081]\n").unwrap();
    portaudit()
        .args(["--proc", "playground/ch5/proc", "check"])
        .arg(&policy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "policy.toml:2: unknown field `loopbackonly`",
        ));
}
