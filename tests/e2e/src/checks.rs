//! Assertions shared by the E2E scenarios: delivery shown in the packet history, hostile
//! content inert, and the window still answering clicks.

use crate::drafts::INERT_CHECK;
use crate::ui::Ui;
use anyhow::{bail, ensure, Result};
use std::time::{Duration, Instant};

/// Wait until the packet's history shows our decision (`outcome` as displayed, e.g.
/// "Edit") acknowledged by the endpoint.
pub async fn wait_acknowledged(ui: &Ui, outcome: &str, limit: Duration) -> Result<()> {
    let script = format!(
        "return [...document.querySelectorAll('article.packet li.history-item.delivery-acknowledged')]\
         .some(li => li.textContent.startsWith('{outcome} by') && li.textContent.includes('signed on this device'));"
    );
    ui.wait_js(
        &format!("our {outcome} decision acknowledged"),
        &script,
        limit,
    )
    .await?;
    Ok(())
}

/// Run the inert checks; fail with the problems found.
pub async fn assert_inert(ui: &Ui, where_: &str) -> Result<()> {
    let problems = ui.js(INERT_CHECK).await?;
    if problems.as_array().is_some_and(|p| !p.is_empty()) {
        bail!("hostile content is live in {where_}: {problems}");
    }
    Ok(())
}

/// A later click must still work quickly: open the help dialog and close it.
pub async fn assert_responsive(ui: &Ui, bound: Duration) -> Result<()> {
    let start = Instant::now();
    ui.click_button("Queue").await?;
    ui.wait_css("form[role=search]").await?;
    ui.wait_css("button[aria-label='Keyboard shortcuts']")
        .await?
        .click()
        .await?;
    ui.wait_css("[role=dialog]").await?;
    ui.press(&['\u{E00C}']).await?; // Escape
    ui.wait_js(
        "the help dialog to close",
        "return document.querySelector('[role=dialog]') === null;",
        bound,
    )
    .await?;
    ensure!(
        start.elapsed() < bound,
        "the app took {:?} (> {bound:?}) to answer two clicks",
        start.elapsed()
    );
    Ok(())
}
