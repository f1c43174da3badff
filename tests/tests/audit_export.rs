//! A compliance officer's audit export, end to end: 300 decisions recorded with the real
//! CLI against the real endpoint, exported with `countersign audit export`, verified with
//! `countersign audit verify` and independently with PyJWT + rfc8785 (Python), and every
//! tamper case (a changed byte, a dropped row, swapped rows, an edited manifest) named.

use countersign_testkit::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const PACKETS: u32 = 300;

fn python() -> PathBuf {
    PathBuf::from(std::env::var("COUNTERSIGN_PYTHON").unwrap_or_else(|_| {
        panic!(
            "COUNTERSIGN_PYTHON is not set: it must name the python of the venv made by \
             scripts/python-env.sh (PyJWT + rfc8785), e.g. \
             COUNTERSIGN_PYTHON=$(scripts/python-env.sh)/bin/python"
        )
    }))
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python/verify_export.py")
}

/// A packet whose agent name a spreadsheet would run as a formula, now and then.
fn draft(i: u32) -> Value {
    let d = PacketDraftBuilder::refund(i + 1);
    let hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)"];
    if i % 50 == 7 {
        d.agent(hostile[(i / 50) as usize % 4]).build()
    } else {
        d.build()
    }
}

fn record_decisions(dir: &Path) -> (ServedEndpoint, Client) {
    let ep = ServedEndpoint::start(dir);
    let client = Client::new(dir, "audit");
    client.connect(&ep, "main", REVIEWER_TOKEN);
    client.json(&["reviewer", "--name", "Dana Q. Reviewer"]);
    for i in 0..PACKETS {
        ep.create_packet(&draft(i));
    }
    client.json(&["sync", "--once"]);
    let pending = client.list(&[]);
    assert_eq!(pending.len(), PACKETS as usize);
    for (i, p) in pending.iter().enumerate() {
        let id = p["id"].to_string();
        let args: Vec<String> = match i % 10 {
            0 => vec![
                "reject".into(),
                "--reason".into(),
                "=cmd|' /C calc'!A0".into(),
            ],
            3 => {
                let edited = json!({"order": format!("A-{i}"), "amount": 1, "currency": "EUR"});
                vec!["edit".into(), "--args".into(), edited.to_string()]
            }
            _ => vec!["approve".into()],
        };
        let mut argv = vec!["decide", &id];
        argv.extend(args.iter().map(String::as_str));
        argv.push("--no-send");
        client.json(&argv);
    }
    let synced = client.json(&["sync", "--once"]);
    assert_eq!(
        synced[0]["delivery"]["acknowledged"],
        json!(PACKETS),
        "{synced}"
    );
    (ep, client)
}

fn verify(client: &Client, dir: &Path) -> (Option<i32>, String) {
    let out = client.run(&["audit", "verify", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.code(), text)
}

fn copy_export(src: &Path, name: &str) -> PathBuf {
    let dst = src.with_file_name(name);
    std::fs::create_dir(&dst).unwrap();
    for f in std::fs::read_dir(src).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dst.join(f.file_name())).unwrap();
    }
    dst
}

fn edit_lines(dir: &Path, file: &str, edit: impl FnOnce(&mut Vec<String>)) {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    edit(&mut lines);
    std::fs::write(dir.join(file), lines.join("\n") + "\n").unwrap();
}

/// Tamper with a copy; verify must exit 3 and name `expect` in its message.
fn assert_named(
    client: &Client,
    export: &Path,
    case: &str,
    file: &str,
    expect: &str,
    edit: impl FnOnce(&mut Vec<String>),
) {
    let copy = copy_export(export, case);
    edit_lines(&copy, file, edit);
    let (code, out) = verify(client, &copy);
    assert_eq!(
        code,
        Some(3),
        "{case}: verify must fail with exit code 3\n{out}"
    );
    let message = last_json_line(out.as_bytes())["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains(expect),
        "{case}: `{message}` does not name `{expect}`"
    );
}

#[test]
fn export_verifies_offline_and_every_tamper_is_named() {
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let (_ep, client) = record_decisions(dir.path());

    let export = dir.path().join("export");
    let summary = client.json(&["audit", "export", "--out", export.to_str().unwrap()]);
    assert_eq!(summary["decisions"], json!(PACKETS), "{summary}");
    let ledger = client.json(&["ledger", "verify"]);
    assert_eq!(summary["chain_head"], ledger["head"]);

    let ok = client.json(&["audit", "verify", export.to_str().unwrap()]);
    assert_eq!(ok["ok"], json!(true), "{ok}");
    assert_eq!(ok["signatures_verified"], json!(PACKETS));

    // Independent JOSE and RFC 8785 implementations agree.
    let py = Command::new(&python)
        .arg(script())
        .arg(&export)
        .output()
        .expect("run python");
    assert!(
        py.status.success(),
        "python verifier failed: {}",
        String::from_utf8_lossy(&py.stderr)
    );
    let py_summary = last_json_line(&py.stdout);
    assert_eq!(py_summary["signatures"], json!(PACKETS));
    assert_eq!(py_summary["csv_rows"], json!(PACKETS));

    // Rows are what was decided, and the CSV reads as a table with formulas neutralised.
    let rows: Vec<Value> = std::fs::read_to_string(export.join("decisions.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows
        .iter()
        .all(|r| r["signer_name"] == "Dana Q. Reviewer" && r["delivery_state"] == "acknowledged"));
    assert_eq!(
        rows.iter().filter(|r| r["meaning"] == "rejection").count(),
        30
    );
    let csv_text = std::fs::read_to_string(export.join("decisions.csv")).unwrap();
    assert!(
        csv_text.contains("'=HYPERLINK(")
            && csv_text.contains("'@SUM(A1)")
            && csv_text.contains("'=cmd|")
    );
    assert!(!csv_text.lines().any(|l| l.starts_with('=')));
    for f in [
        "decisions.jsonl",
        "decisions.csv",
        "ledger.jsonl",
        "manifest.json",
        "manifest.jws",
    ] {
        let text = std::fs::read_to_string(export.join(f)).unwrap();
        assert!(
            !text.contains(REVIEWER_TOKEN),
            "{f} leaks the endpoint token"
        );
    }

    let id7 = rows[6]["decision_id"].as_str().unwrap().to_string();
    assert_named(
        &client,
        &export,
        "byte",
        "decisions.jsonl",
        &format!("row 7 (decision {id7})"),
        |l| l[6] = l[6].replacen("Dana", "Dina", 1),
    );
    assert_named(
        &client,
        &export,
        "amount",
        "decisions.jsonl",
        "row 4 ",
        |l| l[3] = l[3].replacen("\"amount\":1,", "\"amount\":9,", 1),
    );
    assert_named(
        &client,
        &export,
        "drop",
        "decisions.jsonl",
        "row 120 is missing",
        |l| {
            l.remove(119);
        },
    );
    assert_named(&client, &export, "swap", "decisions.jsonl", "row 51", |l| {
        l.swap(50, 51)
    });
    assert_named(
        &client,
        &export,
        "csv",
        "decisions.csv",
        "decisions.csv row 200",
        |l| l[200] = l[200].replacen("approval", "approvaI", 1),
    );
    let seq = rows[0]["ledger"][0]["seq"].as_i64().unwrap();
    assert_named(
        &client,
        &export,
        "ledger",
        "ledger.jsonl",
        &format!("ledger entry {}", seq + 10),
        |l| l[10] = l[10].replacen("\"kind\":\"", "\"kind\":\"x", 1),
    );
    assert_named(
        &client,
        &export,
        "manifest",
        "manifest.json",
        "manifest.json",
        |l| {
            let i = l.iter().position(|x| x.contains("\"approve\":")).unwrap();
            l[i] = l[i].replace(": ", ": 1");
        },
    );

    // Filters narrow the export, and the narrowed export verifies too.
    let rejects = dir.path().join("rejects");
    let r = client.json(&[
        "audit",
        "export",
        "--out",
        rejects.to_str().unwrap(),
        "--outcome",
        "reject",
        "--digests-only",
    ]);
    assert_eq!(r["decisions"], json!(30));
    assert_eq!(verify(&client, &rejects).0, Some(0));
    let py = Command::new(&python)
        .arg(script())
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
}
