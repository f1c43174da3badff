//! Reading an export's JSONL files a chunk of lines at a time, the unit the checks split
//! across cores.

use crate::audit::hashing::HashingLines;
use std::io::BufRead;

/// Lines are read this many at a time; the checks of a chunk are split across cores.
/// Bigger chunks gained nothing measurable and doubled the verifier's memory (a chunk of
/// rows is read ahead while one is checked).
pub const CHUNK: usize = 4096;

/// The next `CHUNK` lines (fewer at the end; None when there are none left).
pub fn read_chunk<R: BufRead>(
    lines: &mut HashingLines<R>,
) -> std::io::Result<Option<Vec<Vec<u8>>>> {
    let mut chunk = Vec::with_capacity(CHUNK);
    while chunk.len() < CHUNK {
        match lines.next_line()? {
            Some(line) => chunk.push(line.to_vec()),
            None => break,
        }
    }
    Ok((!chunk.is_empty()).then_some(chunk))
}
