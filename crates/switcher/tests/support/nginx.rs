//! A real nginx in a temporary prefix on a loopback port (never the system
//! service), configured for one of the switch methods chapter 6 measures.

use std::path::{Path, PathBuf};
use std::process::Command;

use testkit::process::Process;

/// How nginx finds the live slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The seed's: `set $service_url` in an included file, then a reload.
    Reload,
    /// The same, with client keep-alive off (`keepalive_timeout 0`): no
    /// idle connection for a reload to close.
    ReloadNoKeepalive,
    /// Both slots in one upstream and `proxy_next_upstream`: no reload; the
    /// stopped slot's refused connect moves the request to the other.
    BothSlots,
}

pub struct Nginx {
    pub process: Process,
    pub prefix: PathBuf,
    pub port: u16,
    /// `nginx -p PREFIX -c nginx.conf`: what the switcher runs with -t / -s reload.
    pub command: Vec<String>,
    pub include: PathBuf,
}

pub fn start(dir: &Path, method: Method, blue: u16, green: u16) -> Option<Nginx> {
    let program = testkit::tool("nginx")?;
    let prefix = dir.join("nginx");
    std::fs::create_dir_all(prefix.join("logs")).unwrap();
    let port = testkit::free_port();
    let include = prefix.join("service-url.inc");
    std::fs::write(
        &include,
        format!("set $service_url http://127.0.0.1:{blue};\n"),
    )
    .unwrap();
    let keepalive = match method {
        Method::ReloadNoKeepalive => "keepalive_timeout 0;",
        _ => "keepalive_timeout 65;",
    };
    let (upstream, pass) = match method {
        Method::BothSlots => (
            format!(
                "upstream app {{ server 127.0.0.1:{blue} max_fails=0; server 127.0.0.1:{green} max_fails=0; }}"
            ),
            "proxy_pass http://app; proxy_pass_header Server; proxy_next_upstream error timeout non_idempotent; proxy_next_upstream_tries 2;".to_string(),
        ),
        _ => (String::new(), format!("include {}; proxy_pass $service_url; proxy_pass_header Server;", include.display())),
    };
    let p = prefix.display();
    let conf = format!(
        "worker_processes 2;\npid {p}/nginx.pid;\nerror_log {p}/logs/error.log warn;\ndaemon off;\n\
events {{ worker_connections 1024; }}\n\
http {{\n  access_log off;\n  {keepalive}\n  keepalive_requests 100000;\n\
  client_body_temp_path {p}/body; proxy_temp_path {p}/proxy; fastcgi_temp_path {p}/fastcgi;\n\
  uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;\n  {upstream}\n\
  server {{\n    listen 127.0.0.1:{port};\n    location / {{ {pass} }}\n  }}\n}}\n"
    );
    let conf_path = prefix.join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let command = vec![
        program.display().to_string(),
        "-p".into(),
        prefix.display().to_string(),
        "-c".into(),
        conf_path.display().to_string(),
        "-e".into(),
        prefix.join("logs/error.log").display().to_string(),
    ];
    // A group of its own: the master starts two workers, and all three must
    // go when the test ends.
    let process = Process::spawn_group(Command::new(&command[0]).args(&command[1..]));
    testkit::wait_until_listening(
        format!("127.0.0.1:{port}").parse().unwrap(),
        testkit::process::DEADLINE,
        "nginx",
    );
    Some(Nginx {
        process,
        prefix,
        port,
        command,
        include,
    })
}
