//! Splits a chunk of independent work across the machine's cores (rayon's pool) and
//! returns the results in input order, so the verifier can still name the first bad
//! entry; and overlaps reading the next chunk with the work on this one.

use rayon::prelude::*;
use std::ops::Range;
use std::sync::mpsc::sync_channel;

/// Parts per pool thread: several, so that when another thread (the one reading the
/// next chunk, say) takes a core for a while, the other cores take over its parts
/// instead of waiting for them.
const PARTS_PER_THREAD: usize = 4;

fn part_len(len: usize, min_part: usize) -> usize {
    name_pool_threads();
    len.div_ceil(rayon::current_num_threads() * PARTS_PER_THREAD)
        .max(min_part.max(1))
}

/// Name the pool's threads (else they take the name of whichever thread started the
/// pool, which misleads a profiler), unless something else already built the pool.
fn name_pool_threads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("audit-worker-{i}"))
            .build_global();
    });
}

/// Like [`in_parts`], for work that takes its items by value: `f` gets each part's
/// offset in `items` and the part.
pub fn map_parts<T: Send, R: Send>(
    mut items: Vec<T>,
    min_part: usize,
    f: impl Fn(usize, Vec<T>) -> Vec<R> + Sync,
) -> Vec<R> {
    let len = items.len();
    let part = part_len(len, min_part);
    if part >= len {
        return f(0, items);
    }
    let mut parts = Vec::new();
    for start in (0..len).step_by(part).rev() {
        parts.push((start, items.split_off(start)));
    }
    parts.reverse();
    let f = &f;
    let done: Vec<Vec<R>> = parts
        .into_par_iter()
        .map(|(start, part)| f(start, part))
        .collect();
    done.into_iter().flatten().collect()
}

/// Run `check` on consecutive parts of `0..len` (at least `min_part` items each) on
/// the thread pool, and concatenate the parts' results in order.
pub fn in_parts<R: Send>(
    len: usize,
    min_part: usize,
    check: impl Fn(Range<usize>) -> Vec<R> + Sync,
) -> Vec<R> {
    let part = part_len(len, min_part);
    if part >= len {
        return check(0..len);
    }
    let ranges: Vec<Range<usize>> = (0..len)
        .step_by(part)
        .map(|start| start..(start + part).min(len))
        .collect();
    let done: Vec<Vec<R>> = ranges.into_par_iter().map(&check).collect();
    done.into_iter().flatten().collect()
}

/// Run `produce` on a thread of its own, at most `ahead` items ahead of `consume`, so
/// reading and parsing the next chunk overlaps checking this one. `produce` sends with
/// the closure it is given, which returns false once `consume` has stopped taking
/// items (an early failure); it should then stop. Returns what both returned.
pub fn read_ahead<T: Send, P: Send, C>(
    ahead: usize,
    produce: impl FnOnce(&mut dyn FnMut(T) -> bool) -> P + Send,
    consume: impl FnOnce(&mut dyn Iterator<Item = T>) -> C,
) -> (P, C) {
    let (tx, rx) = sync_channel(ahead);
    std::thread::scope(|s| {
        let producer = std::thread::Builder::new()
            .name("audit-read-ahead".into())
            .spawn_scoped(s, move || produce(&mut |item| tx.send(item).is_ok()))
            .expect("a thread can be started");
        let consumed = consume(&mut rx.iter());
        // Unblocks a producer waiting to send after an early stop.
        drop(rx);
        (producer.join().expect("readers do not panic"), consumed)
    })
}

/// The other way round from [`read_ahead`]: `produce` runs on this thread (it may hold
/// what cannot move, such as a database connection) while `take` works through what it
/// sends on a thread of its own, starting from `sink`. A failing `take` makes the
/// producer's sends return false. Returns what both returned.
pub fn write_behind<T: Send, S: Send, E: Send, P>(
    ahead: usize,
    sink: S,
    take: impl Fn(&mut S, T) -> Result<(), E> + Send,
    produce: impl FnOnce(&mut dyn FnMut(T) -> bool) -> P,
) -> (P, Result<S, E>) {
    let (tx, rx) = sync_channel(ahead);
    std::thread::scope(|s| {
        let taker = std::thread::Builder::new()
            .name("audit-write-behind".into())
            .spawn_scoped(s, move || {
                let mut sink = sink;
                for item in rx {
                    take(&mut sink, item)?;
                }
                Ok(sink)
            })
            .expect("a thread can be started");
        let produced = produce(&mut |item| tx.send(item).is_ok());
        // Ends the taker's loop.
        drop(tx);
        (produced, taker.join().expect("writers do not panic"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_parts_come_back_in_input_order_with_their_offsets() {
        for (len, min_part) in [(0, 4), (1, 4), (10, 1), (1000, 7), (1001, 2000)] {
            let items: Vec<String> = (0..len).map(|i| i.to_string()).collect();
            let out = map_parts(items, min_part, |offset, part| {
                part.into_iter()
                    .enumerate()
                    .map(|(i, s)| (offset + i, s))
                    .collect()
            });
            let want: Vec<_> = (0..len).map(|i| (i, i.to_string())).collect();
            assert_eq!(out, want);
        }
    }

    #[test]
    fn write_behind_takes_everything_in_order_and_a_failure_stops_the_producer() {
        let (sent, taken) = write_behind(
            2,
            Vec::new(),
            |v: &mut Vec<i32>, i| {
                v.push(i);
                Ok::<_, String>(())
            },
            |send| (0..100).take_while(|i| send(*i)).count(),
        );
        assert_eq!((sent, taken), (100, Ok((0..100).collect())));
        let (sent, taken) = write_behind(
            2,
            0,
            |n: &mut i32, i| {
                if i == 7 {
                    return Err(format!("failed at {i}"));
                }
                *n += 1;
                Ok(())
            },
            |send| (0..1_000_000).take_while(|i| send(*i)).count(),
        );
        assert_eq!(taken, Err("failed at 7".to_string()));
        assert!(sent < 1_000_000, "the producer stopped early ({sent} sent)");
    }

    #[test]
    fn read_ahead_hands_over_everything_in_order_and_stops_with_the_consumer() {
        let (sent, got) = read_ahead(
            2,
            |send| (0..100).take_while(|i| send(*i)).count(),
            |items| items.collect::<Vec<_>>(),
        );
        assert_eq!((sent, got), (100, (0..100).collect::<Vec<_>>()));
        let (sent, got) = read_ahead(
            2,
            |send| (0..1_000_000).take_while(|i| send(*i)).count(),
            |items| items.take(5).collect::<Vec<_>>(),
        );
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
        assert!(sent < 1_000_000, "the producer stopped early ({sent} sent)");
    }

    #[test]
    fn results_come_back_in_input_order_whatever_the_split() {
        for (len, min_part) in [(0, 4), (1, 4), (10, 1), (1000, 7), (1001, 2000)] {
            let out = in_parts(len, min_part, |r| r.map(|i| i * 3).collect());
            assert_eq!(out, (0..len).map(|i| i * 3).collect::<Vec<_>>());
        }
    }
}
