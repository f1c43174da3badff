//! The desktop E2E suite: one app session, scenarios run in order (the slow part is
//! starting the app). Each step names itself in its failure message and leaves a PNG in
//! artifacts/e2e/. Run through scripts/e2e.sh (Xvfb + private D-Bus keyring).

use anyhow::{ensure, Context, Result};
use countersign_e2e::checks::{assert_inert, assert_responsive, wait_acknowledged};
use countersign_e2e::drafts;
use countersign_e2e::endpoint::{Endpoint, REVIEWER_TOKEN};
use countersign_e2e::profile::Profile;
use countersign_e2e::ui::{Ui, ENTER, UI_SHORT};
use countersign_e2e::{driver::TauriDriver, hostile};
use countersign_protocol::{digest::args_digest, jws::verify_decision};
use ed25519_dalek::VerifyingKey;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Whole-suite bound: app start, six scenarios and an endpoint outage.
const SUITE_TIMEOUT: Duration = Duration::from_secs(300);

struct Suite {
    ui: Ui,
    endpoint: Endpoint,
    key: VerifyingKey,
    profile: Profile,
    dir: std::path::PathBuf,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_e2e() {
    let dir = tempfile::tempdir().expect("temp dir");
    let result = tokio::time::timeout(SUITE_TIMEOUT, run(dir.path())).await;
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{e:#}"),
        Err(_) => panic!("E2E suite exceeded its {SUITE_TIMEOUT:?} bound"),
    }
}

async fn run(dir: &std::path::Path) -> Result<()> {
    let endpoint = Endpoint::start(dir).context("setup: start the reference endpoint")?;
    let profile = Profile::new(dir);
    profile
        .connect("Demo", &endpoint.url(), REVIEWER_TOKEN)
        .context("setup: add and enroll the endpoint with the CLI")?;
    let key = profile.verifying_key().context("setup: profile key")?;

    let mut driver = TauriDriver::start(&profile.app_env())
        .await
        .context("setup: tauri-driver")?;
    let client = driver
        .session(&countersign_e2e::desktop_bin())
        .await
        .context("setup: launch the app")?;
    let ui = Ui::new(client.clone(), countersign_e2e::artifacts_dir())?;
    let suite = Suite {
        ui,
        endpoint,
        key,
        profile,
        dir: dir.to_path_buf(),
    };
    let outcome = scenarios(suite).await;
    // Always end the session (closes the app) before tauri-driver gets SIGTERM.
    let _ = client.close().await;
    driver.stop();
    outcome
}

async fn scenarios(mut s: Suite) -> Result<()> {
    let steps: [&str; 8] = [
        "0 app shows the synced queue",
        "1 new packet appears without reload",
        "2 edit and approve signs the edited args",
        "3 reject without a reason is refused",
        "4 keyboard approves a routine packet",
        "6 hostile packet renders inert",
        "5 offline decision is delivered after restart",
        "7 audit view exports and verifies",
    ];
    for (i, name) in steps.iter().enumerate() {
        let start = Instant::now();
        let r = match i {
            0 => first_view(&s).await,
            1 => new_packet_live(&s).await,
            2 => edit_and_approve(&s).await,
            3 => reject_needs_reason(&s).await,
            4 => keyboard_approve(&s).await,
            5 => hostile_inert(&s).await,
            6 => offline_then_delivered(&mut s).await,
            _ => audit_export_and_verify(&s).await,
        };
        if let Err(e) = r {
            let shot = s.ui.screenshot(&format!("FAILED-step-{name}")).await;
            return Err(e.context(format!("E2E step \"{name}\" failed (screenshot: {shot:?})")));
        }
        eprintln!("e2e: step \"{name}\" ok in {:?}", start.elapsed());
    }
    Ok(())
}

/// The queue is synced from the endpoint's seeded demo packets; open one.
async fn first_view(s: &Suite) -> Result<()> {
    let ui = &s.ui;
    ui.wait_css("button.queue-row").await?;
    // Marks this page load: if the window ever reloads, the marker is gone.
    ui.js("window.__e2eLoad = 'first'; return true;").await?;
    ui.wait_js(
        "the seeded demo packets",
        "return document.querySelectorAll('button.queue-row').length >= 8;",
        Duration::from_secs(15),
    )
    .await?;
    ui.wait_css("button.queue-row").await?.click().await?;
    ui.wait_css("article.packet .decision-panel").await?;
    let shot = ui.screenshot("00-queue-and-packet").await?;
    if std::env::var_os("COUNTERSIGN_E2E_DOCS_SCREENSHOT").is_some() {
        let docs = countersign_e2e::repo_root().join("docs/screenshot.png");
        std::fs::copy(&shot, &docs)?;
    }
    Ok(())
}

async fn new_packet_live(s: &Suite) -> Result<()> {
    let ui = &s.ui;
    ui.search("wire_transfer_review").await?;
    let created = s
        .endpoint
        .create_packet(&drafts::refund(
            "wire_transfer_review",
            "e2e-live",
            310,
            "medium",
        ))
        .await?;
    let start = Instant::now();
    ui.wait_js(
        "the new packet in the queue",
        &format!(
            "return document.querySelector('{}') !== null;",
            Ui::row_css("wire_transfer_review").replace('\'', "\\'")
        ),
        Duration::from_secs(5),
    )
    .await
    .with_context(|| format!("packet {} not shown within 5 s", created["id"]))?;
    let load = ui.js("return window.__e2eLoad || null;").await?;
    ensure!(
        load == json!("first"),
        "the window reloaded (marker {load})"
    );
    eprintln!("e2e: new packet shown {:?} after creation", start.elapsed());
    ui.screenshot("01-new-packet-live").await?;
    Ok(())
}

/// Search for one packet's action, open it, and wait for its decision panel.
async fn open(ui: &Ui, action: &str) -> Result<()> {
    ui.search(action).await?;
    ui.wait_css(&Ui::row_css(action)).await?.click().await?;
    ui.wait_css("article.packet .decision-panel").await?;
    Ok(())
}

/// Read back the delivered decision from the agent API and verify its JWS.
async fn verified_decision(s: &Suite, remote_id: &str) -> Result<(Value, Value)> {
    let body = s.endpoint.decision(remote_id, 20).await?;
    ensure!(
        body["status"] == "decided",
        "not decided at the endpoint: {body}"
    );
    let jws = body["decisions"]
        .as_array()
        .and_then(|d| d.iter().find_map(|d| d["jws"].as_str()))
        .with_context(|| format!("no JWS in {body}"))?;
    let record = verify_decision(jws, &s.key).context("JWS does not verify")?;
    Ok((body.clone(), serde_json::to_value(record)?))
}

async fn edit_and_approve(s: &Suite) -> Result<()> {
    let ui = &s.ui;
    let created = s
        .endpoint
        .create_packet(&drafts::refund(
            "issue_refund_edit",
            "e2e-edit",
            120,
            "medium",
        ))
        .await?;
    let remote = created["id"].as_str().context("packet id")?;
    open(ui, "issue_refund_edit").await?;
    ui.click_button("Edit and approve").await?;
    let amount = ui.wait_css(".edit-form input[id$='amount']").await?;
    amount.click().await?;
    // End, then Backspace over "120", then the new amount.
    amount
        .send_keys("\u{E010}\u{E003}\u{E003}\u{E003}\u{E003}80")
        .await?;
    ui.wait_js(
        "the amount field to read 80",
        "return document.querySelector(\".edit-form input[id$='amount']\").value === '80';",
        Duration::from_secs(5),
    )
    .await?;
    ui.screenshot("02-edit-form-diff").await?;
    ui.click_button("Sign edited approval").await?;
    wait_acknowledged(ui, "Edit", Duration::from_secs(15)).await?;
    ui.screenshot("02-edit-approved").await?;

    let edited = json!({"order": "A-120", "amount": 80, "currency": "EUR"});
    let (body, record) = verified_decision(s, remote).await?;
    ensure!(body["final_args"] == edited, "endpoint final_args: {body}");
    ensure!(record["outcome"] == "edit", "signed outcome: {record}");
    ensure!(
        record["final_args"] == edited,
        "signed final_args: {record}"
    );
    let digest = args_digest(&edited);
    ensure!(
        record["args_digest"] == json!(digest),
        "signed args_digest {} != {digest}",
        record["args_digest"]
    );
    Ok(())
}

async fn reject_needs_reason(s: &Suite) -> Result<()> {
    let ui = &s.ui;
    let created = s
        .endpoint
        .create_packet(&drafts::refund(
            "refund_reject_check",
            "e2e-reject",
            45,
            "low",
        ))
        .await?;
    let remote = created["id"].as_str().context("packet id")?;
    open(ui, "refund_reject_check").await?;
    ui.click_button("Reject").await?;
    ui.wait_css("[role=dialog] textarea").await?;
    ui.click_button("Reject and sign").await?;
    ui.wait_js(
        "the missing-reason error",
        "const a = [...document.querySelectorAll('[role=dialog] [role=alert]')];\
         return a.some(e => e.textContent.includes('A reason is required to reject'));",
        UI_SHORT,
    )
    .await?;
    ui.screenshot("03-reject-needs-reason").await?;
    let signed = ui
        .js("return document.querySelector('.decision-panel .signed') !== null;")
        .await?;
    ensure!(signed == json!(false), "the UI shows a signed decision");
    // The agent's long-poll returns at once on a decision; 2 s of silence = none sent.
    let body = s.endpoint.decision(remote, 2).await?;
    ensure!(
        body["status"] == "pending" && body["decisions"].as_array().is_none_or(Vec::is_empty),
        "a decision reached the endpoint: {body}"
    );
    ui.click_button("Cancel").await?;
    Ok(())
}

async fn keyboard_approve(s: &Suite) -> Result<()> {
    let ui = &s.ui;
    let created = s
        .endpoint
        .create_packet(&drafts::refund("routine_refund_kbd", "e2e-kbd", 12, "low"))
        .await?;
    let remote = created["id"].as_str().context("packet id")?;
    ui.search("routine_refund_kbd").await?;
    ui.wait_js(
        "the filtered queue to hold only the routine packet",
        &format!(
            "const r = document.querySelectorAll('button.queue-row');\
             return r.length === 1 && r[0].matches('{}');",
            Ui::row_css("routine_refund_kbd").replace('\'', "\\'")
        ),
        UI_SHORT,
    )
    .await?;
    // Leave the search field, as Escape would; the approval itself is the 3 keys below.
    ui.js("document.activeElement && document.activeElement.blur(); return true;")
        .await?;
    ui.press(&['j']).await?;
    ui.wait_css("button.queue-row.selected").await?;
    ui.wait_css("article.packet .decision-panel").await?;
    ui.press(&['a']).await?;
    ui.wait_css("[role=dialog]").await?;
    ui.screenshot("04-keyboard-confirm").await?;
    ui.press(&[ENTER]).await?;
    wait_acknowledged(ui, "Approve", Duration::from_secs(15)).await?;
    ui.screenshot("04-keyboard-approved").await?;
    let (body, record) = verified_decision(s, remote).await?;
    ensure!(record["outcome"] == "approve", "signed outcome: {record}");
    ensure!(
        body["final_args"] == created["action"]["args"],
        "approved args differ: {body}"
    );
    Ok(())
}

async fn hostile_inert(s: &Suite) -> Result<()> {
    let ui = &s.ui;
    ui.js("window.__pwned = undefined; return true;").await?;
    s.endpoint
        .create_packet(&drafts::hostile("e2ehostile"))
        .await
        .context("the endpoint refused the in-limits hostile packet")?;
    ui.search("e2ehostile").await?;
    // By agent: the action name itself is the hostile markup.
    ui.wait_css("button.queue-row[aria-label*=' by e2ehostile on ']")
        .await?
        .click()
        .await?;
    ui.wait_css("article.packet .decision-panel").await?;
    ui.wait_js(
        "the markup shown as literal text",
        "const t = document.querySelector('article.packet').textContent;\
         return t.includes('<script>') && t.includes('onerror=');",
        UI_SHORT,
    )
    .await?;
    assert_inert(ui, "the packet view").await?;
    ui.screenshot("06-hostile-packet-inert").await?;
    assert_responsive(ui, UI_SHORT).await?;

    // The 5 MB field comes from a stub endpoint added through the UI.
    let stub = hostile::start();
    ui.click_button("Endpoints").await?;
    ui.fill("form.add-endpoint", "Name", "Hostile stub").await?;
    ui.fill("form.add-endpoint", "URL", &stub).await?;
    ui.fill("form.add-endpoint", "Token", "stub-token").await?;
    ui.click_button("Add endpoint").await?;
    ui.click_button("Quarantine").await?;
    ui.wait_js(
        "the 5 MB packet in quarantine",
        &format!(
            "const li = [...document.querySelectorAll('li.quarantined')];\
             return li.some(e => /(packet|field)_too_large/.test(e.textContent) && e.textContent.includes('{}'));",
            hostile::HUGE_ID
        ),
        Duration::from_secs(30),
    )
    .await?;
    assert_inert(ui, "the quarantine view").await?;
    let shown = ui
        .js("return [...document.querySelectorAll('li.quarantined')].some(e => e.textContent.includes('<script>'));")
        .await?;
    ensure!(
        shown == json!(true),
        "the raw preview does not show the markup as text"
    );
    ui.screenshot("06-hostile-5mb-quarantined").await?;
    let queued = ui
        .js("return [...document.querySelectorAll('button.queue-row')].some(b => b.getAttribute('aria-label').startsWith('exfiltrate'));")
        .await?;
    ensure!(queued == json!(false), "the 5 MB packet entered the queue");
    assert_responsive(ui, UI_SHORT).await?;
    assert_inert(ui, "the app after both hostile packets").await
}

async fn offline_then_delivered(s: &mut Suite) -> Result<()> {
    let created = s
        .endpoint
        .create_packet(&drafts::refund(
            "refund_during_outage",
            "e2e-outage",
            64,
            "low",
        ))
        .await?;
    let remote = created["id"].as_str().context("packet id")?.to_string();
    open(&s.ui, "refund_during_outage").await?;
    s.endpoint.stop();
    s.ui.click_button("Approve").await?;
    s.ui.click_button("Approve and sign").await?;
    let pending =
        s.ui.wait_js(
            "the signed decision shown as not yet delivered",
            "const p = document.querySelector('.decision-panel .signed');\
             return p && p.textContent.includes('Signed and stored') ? p.textContent : null;",
            UI_SHORT,
        )
        .await?;
    let text = pending.as_str().unwrap_or_default();
    ensure!(
        text.contains("waiting") && !text.contains("acknowledged"),
        "expected a pending delivery while the endpoint is down, got {text:?}"
    );
    s.ui.screenshot("05-offline-pending").await?;
    s.endpoint.restart().context("restart the endpoint")?;
    wait_acknowledged(&s.ui, "Approve", Duration::from_secs(60)).await?;
    s.ui.screenshot("05-delivered-after-restart").await?;
    let (_, record) = verified_decision(s, &remote).await?;
    ensure!(record["outcome"] == "approve", "signed outcome: {record}");
    Ok(())
}

/// The Audit view previews the decisions made above, exports them with the real channel
/// for progress, and verifies the export; the CLI verifier agrees on the same folder.
async fn audit_export_and_verify(s: &Suite) -> Result<()> {
    let ui = &s.ui;
    ui.click_button("Audit").await?;
    let matched = ui
        .wait_js(
            "the audit preview",
            "const e = document.querySelector('.audit-count strong');
             return e ? Number(e.textContent.replace(/[^0-9]/g, '')) : null;",
            Duration::from_secs(10),
        )
        .await?;
    let matched = matched.as_u64().context("decision count")?;
    ensure!(
        matched >= 3,
        "the preview lists {matched} decisions, expected the ones made above"
    );
    let out = s.dir.join("audit-export");
    ui.fill(
        "section[aria-label=Export]",
        "Export to folder",
        &out.display().to_string(),
    )
    .await?;
    ui.click_button(&format!("Export {matched} decisions"))
        .await?;
    ui.wait_js(
        "the export to finish",
        "const e = document.querySelector('section[aria-label=Export] .audit-result.ok');
         return e ? e.textContent : null;",
        Duration::from_secs(30),
    )
    .await?;
    ensure!(
        out.join("manifest.json").exists(),
        "no manifest.json in {out:?}"
    );
    ui.click_button("Verify this export").await?;
    ui.js("document.querySelector('section[aria-label=Verify] .audit-actions button').click(); return true;")
        .await?;
    let verdict = ui
        .wait_js(
            "the verification verdict",
            "const e = document.querySelector('section[aria-label=Verify] .audit-result');
             return e ? e.textContent : null;",
            Duration::from_secs(30),
        )
        .await?;
    let verdict = verdict.as_str().unwrap_or_default().to_string();
    ensure!(verdict.starts_with("Verified."), "the app says: {verdict}");
    ensure!(
        verdict.contains(&format!("{matched} decisions")),
        "verdict does not count {matched} decisions: {verdict}"
    );
    ui.screenshot("07-audit-export-verified").await?;
    let report = s
        .profile
        .cli(&["audit", "verify", &out.display().to_string()])
        .context("the CLI verifier on the app's export")?;
    ensure!(report["ok"] == json!(true), "CLI verify: {report}");
    ensure!(
        report["decisions"] == json!(matched),
        "CLI verify counts {} decisions, the app exported {matched}",
        report["decisions"]
    );
    Ok(())
}
