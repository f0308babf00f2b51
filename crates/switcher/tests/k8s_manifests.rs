//! Chapter 6, "When you outgrow one machine": the Kubernetes manifests the
//! book explains line by line are well-formed YAML, and say what the
//! chapter says they say. (Parsed by python3's yaml module, a real YAML
//! parser; no cluster is needed.)

use std::process::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../playground/ch6/k8s");

/// The manifest as JSON, through python3's yaml; `None` when python3 or its
/// yaml module is missing (a skip line, or a failure in CI).
fn parse(name: &str) -> Option<serde_json::Value> {
    let python = testkit::tool("python3")?;
    let output = Command::new(python)
        .args([
            "-c",
            "import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(format!("{DIR}/{name}"))
        .output()
        .expect("python3 runs");
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        if said.contains("No module named 'yaml'") {
            assert!(
                std::env::var("WORKBOOK_REQUIRE_TOOLS").as_deref() != Ok("1"),
                "python3-yaml is required (WORKBOOK_REQUIRE_TOOLS=1)"
            );
            eprintln!("skipped: python3's yaml module is not installed (python3-yaml)");
            return None;
        }
        panic!("{name} is not well-formed YAML: {said}");
    }
    Some(serde_json::from_slice(&output.stdout).expect("JSON from python3"))
}

#[test]
fn the_deployment_rolls_without_losing_capacity() {
    let Some(d) = parse("deployment.yaml") else {
        return;
    };
    assert_eq!(d["apiVersion"], "apps/v1");
    assert_eq!(d["kind"], "Deployment");
    let spec = &d["spec"];
    assert_eq!(spec["strategy"]["type"], "RollingUpdate");
    assert_eq!(spec["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
    assert_eq!(spec["strategy"]["rollingUpdate"]["maxSurge"], 1);
    assert_eq!(
        spec["selector"]["matchLabels"],
        spec["template"]["metadata"]["labels"]
    );
    let container = &spec["template"]["spec"]["containers"][0];
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/health");
    assert_eq!(
        container["readinessProbe"]["httpGet"]["port"],
        container["ports"][0]["containerPort"]
    );
    assert!(
        container["lifecycle"]["preStop"]["sleep"]["seconds"]
            .as_u64()
            .unwrap()
            > 0
    );
    let grace = spec["template"]["spec"]["terminationGracePeriodSeconds"]
        .as_u64()
        .unwrap();
    assert!(
        grace
            > container["lifecycle"]["preStop"]["sleep"]["seconds"]
                .as_u64()
                .unwrap()
    );
}

#[test]
fn the_service_selects_the_deployments_pods() {
    let (Some(s), Some(d)) = (parse("service.yaml"), parse("deployment.yaml")) else {
        return;
    };
    assert_eq!(s["kind"], "Service");
    assert_eq!(
        s["spec"]["selector"],
        d["spec"]["template"]["metadata"]["labels"]
    );
    assert_eq!(
        s["spec"]["ports"][0]["targetPort"],
        d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
    );
}
