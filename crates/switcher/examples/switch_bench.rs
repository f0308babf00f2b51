//! The chapter 6 benchmark: failed requests and the slowest request around
//! switches, for miniproxy's admin API and each nginx method. Run it with
//! `bench/switches.sh` (it prints versions and the exact command).
//!
//! ```text
//! cargo run --release -p switcher --example switch_bench -- [CLIENTS] [DEPLOYS]
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use support::nginx::Method;

fn main() {
    // Started by the switcher as the app: serve, and nothing else.
    if std::env::var("SWITCHER_PORT").is_ok() {
        support::serve_demo_was();
        return;
    }
    let mut args = std::env::args().skip(1);
    let clients: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);
    let deploys: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        println!("{clients} keep-alive clients (GET and POST), {deploys} deploys per method");
        println!(
            "{:<34} {:>9} {:>7} {:>12}",
            "method", "requests", "failed", "slowest ms"
        );
        let row = |name: &str, run: &support::run::Run| {
            println!(
                "{name:<34} {:>9} {:>7} {:>12}",
                run.tally.requests,
                run.tally.failures.len(),
                run.tally.slowest.as_millis()
            );
            if std::env::var("SHOW_FAILURES").is_ok() {
                let mut kinds: Vec<String> = run
                    .tally
                    .failures
                    .iter()
                    .map(|f| {
                        f.split_once(": ")
                            .map_or(f.clone(), |(_, rest)| rest.to_string())
                    })
                    .collect();
                kinds.sort();
                kinds.dedup_by(|a, b| a == b);
                for kind in kinds.iter().take(6) {
                    println!("    e.g. {kind}");
                }
            }
        };
        let run = miniproxy_run(switcher::Hooks::default(), clients, deploys).await;
        row("miniproxy admin API", &run);
        // The tutorial's order: switch as soon as the new version is
        // started (no readiness wait), half the versions taking 300 ms to listen.
        let tutorial = switcher::Hooks {
            wait_healthy: |_, _| Ok(1),
            ..switcher::Hooks::default()
        };
        let run = miniproxy_run(tutorial, clients, deploys).await;
        row("miniproxy, no readiness wait", &run);
        for (name, method) in [
            ("nginx reload (the seed's)", Method::Reload),
            (
                "nginx reload, keepalive_timeout 0",
                Method::ReloadNoKeepalive,
            ),
            ("nginx both slots, no reload", Method::BothSlots),
        ] {
            match support::run::nginx_run(method, clients, deploys).await {
                Some(run) => row(name, &run),
                None => println!("{name:<34} skipped: nginx is not installed"),
            }
        }
    });
}

async fn miniproxy_run(
    hooks: switcher::Hooks,
    clients: usize,
    deploys: usize,
) -> support::run::Run {
    let dir = tempfile::tempdir().unwrap();
    let _cleanup = support::Cleanup(dir.path().to_path_buf());
    let (blue, green) = (testkit::free_port(), testkit::free_port());
    let front = support::miniproxy_front(blue).await;
    let settings = support::run::settings(
        switcher::Front::Miniproxy {
            admin: front.admin.local_addr(),
            route: None,
        },
        dir.path(),
        green,
        blue,
    );
    let settings = Arc::new(settings);
    support::deploy(
        &settings,
        switcher::Hooks::default(),
        support::app_command("1", 0),
    )
    .await
    .unwrap();
    support::run::measure(front.proxy.local_addr(), &settings, hooks, clients, deploys).await
}
