//! How findings are printed: a table for people, JSON lines for programs.

use serde_json::json;

use crate::audit::Finding;
use crate::socket::Exposure;

/// One JSON object per listener, one per line (`jq` reads them as they are).
pub fn json_line(finding: &Finding) -> String {
    let listener = &finding.listener;
    json!({
        "proto": listener.proto,
        "address": listener.local.ip().to_string(),
        "port": listener.local.port(),
        "exposure": finding.exposure,
        "ipv4_too": listener.dual_stack,
        "processes": listener.processes,
        "firewall": finding.firewall,
        "reachable": finding.reachable(),
        "reach": finding.reach(),
    })
    .to_string()
}

/// The table: one row per listener, columns padded to fit.
pub fn table(findings: &[Finding]) -> String {
    let mut rows = vec![[
        "PROTO".to_string(),
        "ADDRESS".to_string(),
        "PORT".to_string(),
        "EXPOSURE".to_string(),
        "REACH".to_string(),
        "PROCESSES".to_string(),
    ]];
    for finding in findings {
        let listener = &finding.listener;
        let mut exposure = finding.exposure.name().to_string();
        if listener.dual_stack && finding.exposure == Exposure::All {
            // `::` with V6ONLY off: IPv4 clients get in through it too.
            exposure.push_str(" (+IPv4)");
        }
        let owners: Vec<String> = listener
            .processes
            .iter()
            .map(|owner| format!("{}({})", owner.name, owner.pid))
            .collect();
        rows.push([
            listener.proto.to_string(),
            listener.local.ip().to_string(),
            listener.local.port().to_string(),
            exposure,
            finding.reach(),
            if owners.is_empty() {
                "-".to_string()
            } else {
                owners.join(",")
            },
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
