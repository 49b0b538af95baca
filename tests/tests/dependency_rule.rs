//! The dependency rule of SPEC §2, checked on the real dependency graph
//! (`cargo metadata`): the domain crate depends on no framework and on no other
//! crate of the workspace. tokio is allowed only as a dev-dependency.

// Test code through and through, helpers included: a failed expectation is a
// failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::process::Command;

use serde_json::Value;

/// Crates the domain must not reach through normal dependencies, even indirectly.
const FORBIDDEN: &[&str] =
    &["poem", "poem-openapi", "sea-orm", "sea-orm-migration", "sea-query", "sqlx", "tokio", "hyper", "axum", "redis"];

/// Crates the domain must not depend on directly (domain types derive no serde;
/// a library below it may still use serde for its own purposes).
const FORBIDDEN_DIRECT: &[&str] = &["serde", "serde_json"];

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running cargo metadata");
    assert!(output.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

/// Every forbidden crate or workspace member that `package` reaches through normal
/// (not dev) dependency edges, with the path that leads there.
fn violations(metadata: &Value, package: &str) -> Vec<String> {
    let packages = metadata["packages"].as_array().expect("packages");
    let name_of: HashMap<&str, &str> =
        packages.iter().filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?))).collect();
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .filter_map(|id| name_of.get(id.as_str()?).copied())
        .collect();
    let nodes: HashMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("resolve.nodes")
        .iter()
        .filter_map(|node| Some((node["id"].as_str()?, node)))
        .collect();
    let start = name_of.iter().find(|(_, name)| **name == package).map(|(id, _)| *id).expect("package in metadata");

    let mut found = Vec::new();
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([(start, package.to_owned())]);
    while let Some((id, path)) = queue.pop_front() {
        let Some(deps) = nodes.get(id).and_then(|node| node["deps"].as_array()) else { continue };
        for dep in deps {
            let normal = dep["dep_kinds"].as_array().is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()));
            let Some(dep_id) = dep["pkg"].as_str() else { continue };
            if !normal || !seen.insert(dep_id) {
                continue;
            }
            let name = name_of.get(dep_id).copied().unwrap_or(dep_id);
            let dep_path = format!("{path} -> {name}");
            let direct = id == start;
            if FORBIDDEN.contains(&name) || members.contains(name) || (direct && FORBIDDEN_DIRECT.contains(&name)) {
                found.push(dep_path.clone());
            }
            queue.push_back((dep_id, dep_path));
        }
    }
    found
}

#[test]
fn domain_depends_on_no_framework_and_no_workspace_crate() {
    let found = violations(&metadata(), "chatroom-domain");
    assert!(found.is_empty(), "chatroom-domain breaks the dependency rule (SPEC §2):\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_a_framework_behind_an_indirect_dependency() {
    let metadata = serde_json::json!({
        "packages": [
            {"id": "d", "name": "chatroom-domain"},
            {"id": "h", "name": "helper"},
            {"id": "t", "name": "tokio"},
            {"id": "m", "name": "mockall"},
            {"id": "a", "name": "chatroom-api"},
        ],
        "workspace_members": ["d", "a"],
        "resolve": {"nodes": [
            {"id": "d", "deps": [
                {"pkg": "h", "dep_kinds": [{"kind": null}]},
                {"pkg": "m", "dep_kinds": [{"kind": "dev"}]},
            ]},
            {"id": "h", "deps": [{"pkg": "t", "dep_kinds": [{"kind": null}]}]},
            {"id": "m", "deps": [{"pkg": "a", "dep_kinds": [{"kind": null}]}]},
            {"id": "a", "deps": []},
            {"id": "t", "deps": []},
        ]},
    });
    assert_eq!(violations(&metadata, "chatroom-domain"), vec!["chatroom-domain -> helper -> tokio".to_owned()]);
}
