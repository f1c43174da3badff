//! The checked ledger segment as the row checks consult it: each entry's reference
//! fingerprint by seq, so a row's ledger references are held against the chain without
//! keeping the entries.

/// What the row checks need from the ledger segment.
pub struct LedgerIndex {
    pub first_seq: i64,
    /// [`ref_fingerprint`](crate::audit::format::row::ref_fingerprint) of each entry, by
    /// `seq - first_seq`.
    pub fingerprints: Vec<[u8; 32]>,
    /// How long checking the chain took.
    pub seconds: f64,
}

impl LedgerIndex {
    /// The fingerprint of entry `seq`, if the segment holds it.
    pub fn fingerprint(&self, seq: i64) -> Option<&[u8; 32]> {
        let idx = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.fingerprints.get(idx)
    }
}
