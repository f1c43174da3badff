//! Splits a chunk of independent checks across the machine's cores and returns the
//! results in input order, so the verifier can still name the first bad entry.

use std::ops::Range;

/// Run `check` on consecutive parts of `0..len` (at least `min_part` items each), one
/// thread per part, and concatenate the parts' results in order.
pub fn in_parts<R: Send>(
    len: usize,
    min_part: usize,
    check: impl Fn(Range<usize>) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let part = len.div_ceil(threads).max(min_part.max(1));
    if part >= len {
        return check(0..len);
    }
    let check = &check;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..len)
            .step_by(part)
            .map(|start| s.spawn(move || check(start..(start + part).min(len))))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("checks do not panic"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order_whatever_the_split() {
        for (len, min_part) in [(0, 4), (1, 4), (10, 1), (1000, 7), (1001, 2000)] {
            let out = in_parts(len, min_part, |r| r.map(|i| i * 3).collect());
            assert_eq!(out, (0..len).map(|i| i * 3).collect::<Vec<_>>());
        }
    }
}
