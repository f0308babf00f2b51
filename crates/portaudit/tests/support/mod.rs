//! Shared by portaudit's integration tests: run the binary, read its JSON,
//! and read `ss`'s view of the same moment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub fn portaudit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portaudit"))
}

/// The workspace's root (two levels above this crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `command` (a portaudit with `--json`) and parses one object a line.
pub fn json_lines(command: &mut Command) -> Vec<Value> {
    let output = command.output().expect("portaudit runs");
    assert!(
        output.status.success(),
        "portaudit failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// The listener on `port` and `proto`, if portaudit listed one.
pub fn find<'a>(listeners: &'a [Value], proto: &str, port: u16) -> Option<&'a Value> {
    listeners
        .iter()
        .find(|l| l["proto"] == proto && l["port"] == port)
}

/// `ss -Hlntup` lines, as (netid, local address:port, process column).
pub fn ss(ss: &Path, namespace: Option<&str>) -> Vec<(String, String, String)> {
    let output = match namespace {
        Some(ns) => Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(ss)
            .arg("-Hlntup")
            .output(),
        None => Command::new(ss).arg("-Hlntup").output(),
    }
    .expect("ss runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            (
                cols[0].to_string(),
                cols[4].to_string(),
                cols.get(6).unwrap_or(&"").to_string(),
            )
        })
        .collect()
}

/// How `ss` writes a listener portaudit reported: `127.0.0.1:80`,
/// `[::1]:80`, `[::]:80` (V6ONLY) or `*:80` (dual-stack).
pub fn as_ss(listener: &Value) -> String {
    let address = listener["address"].as_str().unwrap();
    let port = &listener["port"];
    if address == "::" && listener["ipv4_too"] == true {
        format!("*:{port}")
    } else if address.contains(':') {
        format!("[{address}]:{port}")
    } else {
        format!("{address}:{port}")
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}
