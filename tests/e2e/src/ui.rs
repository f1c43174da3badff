//! Driving the app window: wait-for-condition helpers (no fixed sleeps), keystrokes,
//! clicks by accessible name, and PNG screenshots saved as test artifacts.

use anyhow::{bail, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long a UI condition may take before the step fails.
pub const UI_WAIT: Duration = Duration::from_secs(15);
/// Bound for things that should be near-instant (a dialog opening, an error shown).
pub const UI_SHORT: Duration = Duration::from_secs(5);

pub struct Ui {
    pub client: Client,
    shots: PathBuf,
}

impl Ui {
    pub fn new(client: Client, shots: PathBuf) -> Result<Ui> {
        std::fs::create_dir_all(&shots).with_context(|| format!("create {}", shots.display()))?;
        Ok(Ui { client, shots })
    }

    /// Run `script` (a function body) in the page.
    pub async fn js(&self, script: &str) -> Result<Value> {
        self.client
            .execute(script, vec![])
            .await
            .with_context(|| format!("script failed: {script}"))
    }

    /// Poll a script until it returns something truthy (not null/false/""/0); returns it.
    pub async fn wait_js(&self, what: &str, script: &str, limit: Duration) -> Result<Value> {
        let start = Instant::now();
        loop {
            let v = self.js(script).await?;
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return Ok(v);
            }
            if start.elapsed() > limit {
                bail!("timed out after {limit:?} waiting for {what} (last value {v})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Wait for an element matching a CSS selector.
    pub async fn wait_css(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(UI_WAIT)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element matching {css} within {UI_WAIT:?}"))
    }

    /// Wait for a button whose visible text contains `text` (and that is enabled), then click.
    pub async fn click_button(&self, text: &str) -> Result<()> {
        let xpath = format!(
            "//button[contains(normalize-space(.), {}) and not(@disabled)]",
            xpath_literal(text)
        );
        let button = self
            .client
            .wait()
            .at_most(UI_WAIT)
            .for_element(Locator::XPath(&xpath))
            .await
            .with_context(|| format!("no enabled button {text:?} within {UI_WAIT:?}"))?;
        button
            .click()
            .await
            .with_context(|| format!("click {text:?}"))
    }

    /// Type into the `<input>` inside the `<label>` whose text contains `label`, in `scope`.
    pub async fn fill(&self, scope_css: &str, label: &str, text: &str) -> Result<()> {
        let scope = self.wait_css(scope_css).await?;
        let xpath = format!(".//label[contains(., {})]//input", xpath_literal(label));
        let input = scope
            .find(Locator::XPath(&xpath))
            .await
            .with_context(|| format!("no input labelled {label:?} in {scope_css}"))?;
        // Empty it with key events only, as a person would (select all, delete): WebDriver's
        // clear() sets the value behind React's back, and React may put the old value back
        // on its next render. Check the value has settled empty before typing.
        input.click().await?;
        for _ in 0..5 {
            input.send_keys("\u{E009}a\u{E000}\u{E003}").await?;
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            if input.prop("value").await?.unwrap_or_default().is_empty() {
                break;
            }
        }
        input.send_keys(text).await?;
        Ok(())
    }

    /// Press keys one by one on whatever has focus (as a person at the keyboard would).
    pub async fn press(&self, keys: &[char]) -> Result<()> {
        let mut actions = KeyActions::new("keyboard".into());
        for &k in keys {
            actions = actions
                .then(KeyAction::Down { value: k })
                .then(KeyAction::Up { value: k });
        }
        self.client
            .perform_actions(actions)
            .await
            .with_context(|| format!("press {keys:?}"))?;
        self.client.release_actions().await?;
        Ok(())
    }

    /// Queue search: type into the Search filter and wait for the list to settle on it.
    pub async fn search(&self, text: &str) -> Result<()> {
        self.fill("form[role=search]", "Search", text).await?;
        // Enter applies the filter at once instead of after the debounce.
        self.press(&[ENTER]).await
    }

    /// The queue row button whose accessible name starts with `action`.
    pub fn row_css(action: &str) -> String {
        format!(
            "button.queue-row[aria-label^=\"{} by \"]",
            action.replace('\\', "\\\\").replace('"', "\\\"")
        )
    }

    /// Save a PNG screenshot of the window as `<artifacts>/<name>.png`; returns its path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.client.screenshot().await.context("screenshot")?;
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).with_context(|| format!("write {}", path.display()))?;
        Ok(path)
    }
}

/// WebDriver's Enter key (U+E007).
pub const ENTER: char = '\u{E007}';

/// An XPath string literal for any text (XPath 1.0 has no escapes).
fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
