//! The real peers, nginx and Apache httpd, started by a test on a loopback
//! port with a temporary configuration, never as system services.
//!
//! Each chapter's test adapts the chapter's own file (its port, paths and
//! upstream addresses) and hands the result here; what is the same for every
//! chapter (the surrounding `http { }` or server config, the temporary
//! directories, one foreground process that dies with the test) is here once.

#![allow(dead_code)] // each test file uses a different part of it

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use testkit::process::Process;
use testkit::{tool, wait_until_listening};

/// Real nginx serving `site` (a `server { }` block already listening on
/// `addr`), with `http_extra` lines in its `http { }` block, files in `dir`.
/// `None` (after a `skipped:` line) when nginx is not installed.
pub fn nginx(dir: &Path, addr: SocketAddr, site: &str, http_extra: &str) -> Option<Process> {
    let nginx = tool("nginx")?;
    let tmp = dir.display();
    // One process (master_process off): killing it leaves no worker behind.
    let config = format!(
        "worker_processes 1;\ndaemon off;\nmaster_process off;\n\
         pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
           {http_extra}\n\
           access_log off;\n\
           client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n\
           fastcgi_temp_path {tmp}/fastcgi;\n  uwsgi_temp_path {tmp}/uwsgi;\n\
           scgi_temp_path {tmp}/scgi;\n\
           {site}\n}}\n"
    );
    let config_path = dir.join("nginx.conf");
    std::fs::write(&config_path, config).unwrap();
    let process = Process::spawn(
        Command::new(nginx)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&config_path)
            .arg("-e")
            .arg(dir.join("error.log")),
    );
    wait_until_listening(addr, Duration::from_secs(10), "nginx");
    Some(process)
}

/// Real Apache httpd listening on `addr` with `site`, the `modules` named
/// (`proxy`, `proxy_http`, …; the MPM and authz_core always), and `extra`
/// lines, files in `dir`. `None` when Apache is not installed.
pub fn apache(
    dir: &Path,
    addr: SocketAddr,
    site: &str,
    modules: &[&str],
    extra: &str,
) -> Option<Process> {
    let apache = tool("apache2").or_else(|| tool("httpd"))?;
    let Some(module_dir) = [
        "/usr/lib/apache2/modules",
        "/usr/lib64/httpd/modules",
        "/usr/lib/httpd/modules",
    ]
    .map(PathBuf::from)
    .into_iter()
    .find(|dir| dir.join("mod_proxy_http.so").is_file()) else {
        panic!("Apache is installed but its modules (mod_proxy_http.so) were not found");
    };
    let tmp = dir.display();
    let module_dir = module_dir.display();
    let load: String = ["mpm_event", "authz_core"]
        .iter()
        .chain(modules)
        .map(|name| format!("LoadModule {name}_module {module_dir}/mod_{name}.so\n"))
        .collect();
    // DefaultRuntimeDir: where a balancer keeps its shared memory.
    let config = format!(
        "ServerRoot {tmp}\nServerName localhost\nListen {addr}\n\
         PidFile {tmp}/httpd.pid\nErrorLog {tmp}/error.log\nLogLevel warn\n\
         DefaultRuntimeDir {tmp}\n\
         {load}\
         User nobody\nGroup nogroup\n\
         {extra}\n\
         {site}\n"
    );
    let config_path = dir.join("httpd.conf");
    std::fs::write(&config_path, config).unwrap();
    // -X: one process in the foreground, so killing it stops everything.
    let process = Process::spawn(Command::new(apache).arg("-X").arg("-f").arg(&config_path));
    wait_until_listening(addr, Duration::from_secs(10), "apache");
    Some(process)
}
