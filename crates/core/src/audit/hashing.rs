//! A writer and a line reader that compute SHA-256, byte and line counts of a file as it
//! streams, so exporter and verifier never hold a large file in memory.

use sha2::{Digest, Sha256};
use std::io::{self, BufRead, Write};

pub struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    pub bytes: u64,
    pub lines: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            lines: 0,
        }
    }

    /// Flush and return (sha256 hex, bytes, lines).
    pub fn finish(mut self) -> io::Result<(String, u64, u64)> {
        self.inner.flush()?;
        Ok((hex::encode(self.hasher.finalize()), self.bytes, self.lines))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads `\n`-terminated lines, hashing every byte read.
pub struct HashingLines<R: BufRead> {
    inner: R,
    hasher: Sha256,
    pub bytes: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> HashingLines<R> {
    pub fn new(inner: R) -> Self {
        HashingLines {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            buf: Vec::new(),
        }
    }

    /// The next line without its `\n`, or None at the end.
    pub fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        self.buf.clear();
        let n = self.inner.read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.hasher.update(&self.buf);
        self.bytes += n as u64;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        Ok(Some(&self.buf))
    }

    /// Hash the rest of the input and return (sha256 hex, bytes).
    pub fn finish(mut self) -> io::Result<(String, u64)> {
        while self.next_line()?.is_some() {}
        Ok((hex::encode(self.hasher.finalize()), self.bytes))
    }
}
