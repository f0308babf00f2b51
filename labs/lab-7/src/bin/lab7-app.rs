//! The application the graded tests deploy: a real demo-was in a process
//! of its own, started by the switcher with the slot in $SWITCHER_PORT and
//! $SWITCHER_PROFILE, `version=V` and `delay_ms=N` (a slow start: not
//! listening, so not healthy, for N ms) as arguments. Drains on SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

fn main() {
    let (Ok(port), Ok(profile)) = (
        std::env::var("SWITCHER_PORT"),
        std::env::var("SWITCHER_PROFILE"),
    ) else {
        eprintln!("lab7-app: started by the switcher only (SWITCHER_PORT, SWITCHER_PROFILE)");
        std::process::exit(2);
    };
    let arg = |name: &str| {
        std::env::args().find_map(|a| a.strip_prefix(&format!("{name}=")).map(String::from))
    };
    let version = arg("version").unwrap_or_else(|| "0".into());
    let delay: u64 = arg("delay_ms").and_then(|d| d.parse().ok()).unwrap_or(0);
    let Ok(port) = port.parse::<u16>() else {
        eprintln!("lab7-app: SWITCHER_PORT is not a port");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(async {
        let Ok(stop) = shutdown::signal() else { return };
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let options = demo_was::Options {
            listen: SocketAddr::from(([127, 0, 0, 1], port)),
            profile,
            version,
        };
        match demo_was::start(options).await {
            Ok(running) => {
                stop.await;
                running.stop().await;
            }
            Err(error) => eprintln!("lab7-app: {error}"),
        }
    });
}
