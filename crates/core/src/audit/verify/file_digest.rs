//! A file of an export against what the manifest lists for it: SHA-256, size and rows.

use super::report::VerifyFailure;
use crate::audit::format::manifest::Manifest;

/// Compare a file's digest, size and row count with the manifest.
pub fn check_file_digest(
    manifest: &Manifest,
    name: &str,
    sha256: &str,
    bytes: u64,
    rows: u64,
) -> Result<(), VerifyFailure> {
    let listed = manifest
        .files
        .get(name)
        .ok_or_else(|| VerifyFailure::file(name, "not listed in the manifest"))?;
    if listed.rows != rows {
        return Err(VerifyFailure::file(
            name,
            format!("{rows} rows, the manifest lists {}", listed.rows),
        ));
    }
    if listed.sha256 != sha256 || listed.bytes != bytes {
        return Err(VerifyFailure::file(
            name,
            "the file's SHA-256 differs from the manifest (file changed)",
        ));
    }
    Ok(())
}
