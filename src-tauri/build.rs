//! Build script of the desktop shell.
//!
//! `tauri::generate_context!()` embeds `frontendDist` (ui/dist) only in builds with the
//! `custom-protocol` feature (release bundles); a plain `cargo build` is a dev build that
//! loads `devUrl`. ui/dist is a build output and is not committed, so for a self-contained
//! build in a fresh clone where the UI has not been built yet we write a placeholder page
//! there instead of failing deep inside the macro.

use std::path::Path;

/// Every command the UI may call; tauri-build turns each into an `allow-…` permission that
/// capabilities/default.json grants, so the window can call these and nothing else.
const COMMANDS: &[&str] = &[
    "queue_list",
    "queue_count",
    "queue_stats",
    "packet_get",
    "decide",
    "endpoints_list",
    "endpoint_add",
    "endpoint_remove",
    "endpoint_enroll",
    "reviewer_get",
    "reviewer_set_name",
    "key_info",
    "quarantine_list",
    "open_link",
    "audit_preview",
    "audit_export",
    "audit_export_cancel",
    "audit_verify",
    "audit_default_dir",
    "notifications_status",
    "notifications_set_paused",
    "notifications_focus",
];

fn main() {
    ensure_frontend_dist();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            // The shell's sources (capabilities included) live in src-tauri/, not at the
            // package root where tauri-build would look by default.
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}

fn ensure_frontend_dist() {
    // Only release-style builds embed the UI; a dev build must not watch a path that may
    // not exist (cargo would rerun the script on every build).
    if std::env::var_os("CARGO_FEATURE_CUSTOM_PROTOCOL").is_none() {
        return;
    }
    println!("cargo:rerun-if-changed=ui/dist");
    let manifest_dir =
        std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo");
    let dist = Path::new(&manifest_dir).join("ui").join("dist");
    if dist.join("index.html").exists() {
        return;
    }
    println!(
        "cargo:warning=ui/dist/index.html is missing (UI not built); embedding a placeholder page"
    );
    std::fs::create_dir_all(&dist).expect("create ui/dist");
    std::fs::write(dist.join("index.html"), PLACEHOLDER).expect("write ui/dist/index.html");
}

const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Countersign</title>
  </head>
  <body>
    <h1>Countersign</h1>
    <p>The user interface has not been built. Build it in <code>ui/</code> and rebuild the app.</p>
  </body>
</html>
"#;
