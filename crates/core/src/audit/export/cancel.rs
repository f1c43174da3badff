//! Cancelling an export: the flag is looked at between chunks, and a set flag stops the
//! export as cancelled.

use crate::error::{CoreError, Result};
use std::sync::atomic::{AtomicBool, Ordering};

/// Fails as cancelled once `cancel` is set.
pub fn check_cancel(cancel: &AtomicBool) -> Result<()> {
    if cancel.load(Ordering::Relaxed) {
        return Err(CoreError::Cancelled);
    }
    Ok(())
}
