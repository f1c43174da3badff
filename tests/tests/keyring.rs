//! Secrets live in the OS keyring (a real gnome-keyring on a private D-Bus session), never
//! on disk; without a keyring the user gets an error in plain words and no fallback.

use countersign_testkit::*;
use std::process::Command;

fn files_contain(dir: &std::path::Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            files_contain(&p, needle)
        } else {
            std::fs::read(&p)
                .map(|b| b.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
        }
    })
}

#[test]
fn signing_key_and_token_are_kept_in_the_keyring_only() {
    assert!(
        std::env::var("DBUS_SESSION_BUS_ADDRESS").is_ok(),
        "run the suite through scripts/session-bus.sh (a private D-Bus session with gnome-keyring)"
    );
    let dir = tempfile::tempdir().unwrap();
    let ep = ServedEndpoint::start(dir.path());
    let client = Client::new(dir.path(), "keys");
    let first = client.json(&["key"]);
    let again = client.json(&["key"]);
    assert_eq!(
        first["key_id"], again["key_id"],
        "the key persists across processes"
    );

    let token = "tok-7f3a9c-secret-value";
    client.json(&["endpoint", "add", "main", &ep.url(), "--token", token]);
    let stored = Command::new("secret-tool")
        .args(["search", "--all", "service", &client.keyring_service])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    let listing = String::from_utf8_lossy(&stored.stdout) + String::from_utf8_lossy(&stored.stderr);
    assert!(
        listing.contains("signing-key"),
        "signing key entry in the keyring: {listing}"
    );
    assert!(
        listing.contains("endpoint-token:"),
        "token entry in the keyring: {listing}"
    );

    assert!(
        !files_contain(&client.dir, token.as_bytes()),
        "token never written to disk"
    );
    assert!(
        !files_contain(&client.dir, b"ed25519:"),
        "key seed never written to disk"
    );
}

#[test]
fn without_a_keyring_the_error_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new(dir.path(), "nokeyring");
    let out = client
        .command()
        .arg("key")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/countersign-bus",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = last_json_line(&out.stdout);
    assert_eq!(err["error"]["code"], "keyring_unavailable", "{err}");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("gnome-keyring"));
    assert!(
        !files_contain(&client.dir, b"ed25519:"),
        "no plaintext fallback"
    );
}
