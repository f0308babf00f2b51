//! Real Tomcat (Debian's tomcat10), started from a temporary CATALINA_BASE
//! on a free port, never the system service: its stock connector listens
//! on every address (`*:PORT`), and `address="127.0.0.1"` fixes it.
//! portaudit and `ss` see both the same way.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{as_ss, find, json_lines, portaudit, ss};
use testkit::Reaped;

const HOME: &str = "/usr/share/tomcat10";

/// A CATALINA_BASE in a temp dir: Debian's /etc/tomcat10 copied into conf/,
/// the HTTP connector moved to `port`, optionally bound to `address`.
fn catalina_base(port: u16, address: Option<&str>) -> tempfile::TempDir {
    let base = tempfile::tempdir().unwrap();
    for dir in ["conf", "logs", "webapps", "work", "temp", "lib"] {
        std::fs::create_dir_all(base.path().join(dir)).unwrap();
    }
    let status = Command::new("cp")
        .args(["-r", "/etc/tomcat10/."])
        .arg(base.path().join("conf"))
        .status()
        .unwrap();
    assert!(status.success());
    let server_xml = base.path().join("conf/server.xml");
    let text = std::fs::read_to_string(&server_xml).unwrap();
    let stock = "<Connector port=\"8080\" protocol=\"HTTP/1.1\"";
    assert!(
        text.contains(stock),
        "Debian's server.xml changed: {stock} not found"
    );
    let attribute = address.map_or(String::new(), |a| format!(" address=\"{a}\""));
    let text = text.replace(
        stock,
        &format!("<Connector port=\"{port}\"{attribute} protocol=\"HTTP/1.1\""),
    );
    std::fs::write(&server_xml, text).unwrap();
    base
}

fn start(catalina: &Path, base: &Path) -> Reaped {
    Reaped(
        Command::new(catalina)
            .arg("run")
            .env("CATALINA_HOME", HOME)
            .env("CATALINA_BASE", base)
            .env("CATALINA_TMPDIR", base.join("temp"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// Runs Tomcat bound as given and returns what portaudit and ss said.
fn run(catalina: &Path, ss_path: &Path, address: Option<&str>) -> (serde_json::Value, String) {
    let port = testkit::free_port();
    let base = catalina_base(port, address);
    let _tomcat = start(catalina, base.path());
    testkit::wait_until_listening(
        format!("127.0.0.1:{port}").parse().unwrap(),
        Duration::from_secs(120),
        "tomcat10",
    );
    let listeners = json_lines(portaudit().arg("--json"));
    let ours = find(&listeners, "tcp", port)
        .unwrap_or_else(|| panic!("portaudit does not list tcp port {port}"))
        .clone();
    let theirs = ss(ss_path, None)
        .into_iter()
        .find(|(netid, at, _)| netid == "tcp" && at.ends_with(&format!(":{port}")))
        .expect("ss lists tomcat's port")
        .1;
    (ours, theirs)
}

#[test]
fn tomcat_listens_everywhere_until_told_otherwise() {
    let catalina = PathBuf::from(HOME).join("bin/catalina.sh");
    let (Some(_java), Some(ss_path)) = (testkit::tool("java"), testkit::tool("ss")) else {
        return;
    };
    if !catalina.is_file() {
        if std::env::var("WORKBOOK_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("tomcat10 is required (WORKBOOK_REQUIRE_TOOLS=1) but is not installed");
        }
        eprintln!("skipped: tomcat10 is not installed (apt-get install tomcat10)");
        return;
    }

    // The stock connector: every address, IPv4 too.
    let (ours, theirs) = run(&catalina, &ss_path, None);
    assert_eq!(ours["exposure"], "all", "{ours}");
    assert_eq!(ours["address"], "::", "{ours}");
    assert_eq!(ours["ipv4_too"], true, "{ours}");
    assert_eq!(ours["processes"][0]["name"], "java", "{ours}");
    assert_eq!(as_ss(&ours), theirs);
    assert!(theirs.starts_with("*:"), "ss shows {theirs}");

    // address="127.0.0.1": loopback only. Java opens an IPv6 socket and
    // binds it to 127.0.0.1 written the IPv6 way, so both tools show
    // [::ffff:127.0.0.1]:PORT, and exposure must judge it as the IPv4
    // address it carries.
    let (ours, theirs) = run(&catalina, &ss_path, Some("127.0.0.1"));
    assert_eq!(ours["exposure"], "loopback", "{ours}");
    assert_eq!(ours["address"], "::ffff:127.0.0.1", "{ours}");
    assert_eq!(as_ss(&ours), theirs);
}
