//! A file writer and readers that compute SHA-256, byte and line counts of a file as it
//! streams, so exporter and verifier never hold a large file in memory.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// A file written and hashed on a thread of its own: the exporter hands over full buffers
/// and goes on building rows while earlier ones are hashed and written.
pub struct HashingFile {
    buf: Vec<u8>,
    to_thread: Option<SyncSender<Vec<u8>>>,
    thread: Option<JoinHandle<io::Result<(String, u64, u64)>>>,
}

/// Bytes handed to the writing thread at a time.
const HANDOFF: usize = 1 << 20;

impl HashingFile {
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut file = File::create(path)?;
        // A few buffers in flight bound the memory an export holds.
        let (to_thread, from_exporter) = sync_channel::<Vec<u8>>(4);
        let thread = std::thread::Builder::new()
            .name("audit-export-writer".into())
            .spawn(move || {
                let (mut hasher, mut bytes, mut lines) = (Sha256::new(), 0u64, 0u64);
                for chunk in from_exporter {
                    hasher.update(&chunk);
                    bytes += chunk.len() as u64;
                    lines += memchr::memchr_iter(b'\n', &chunk).count() as u64;
                    file.write_all(&chunk)?;
                }
                file.flush()?;
                Ok((hex::encode(hasher.finalize()), bytes, lines))
            })?;
        Ok(HashingFile {
            buf: Vec::with_capacity(HANDOFF),
            to_thread: Some(to_thread),
            thread: Some(thread),
        })
    }

    fn hand_off(&mut self) -> io::Result<()> {
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(HANDOFF));
        let sent = self.to_thread.as_ref().map(|tx| tx.send(full).is_ok());
        if sent == Some(true) {
            return Ok(());
        }
        // The thread stopped on an I/O error (a full disk, say): report that error.
        self.to_thread = None;
        match self.join() {
            Err(e) => Err(e),
            Ok(_) => Err(io::Error::other("the export file's writer stopped")),
        }
    }

    fn join(&mut self) -> io::Result<(String, u64, u64)> {
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the export file's writer panicked")),
            None => Err(io::Error::other("the export file's writer stopped")),
        }
    }

    /// Write what is left, wait for the thread and return (sha256 hex, bytes, lines).
    pub fn finish(mut self) -> io::Result<(String, u64, u64)> {
        self.hand_off()?;
        self.to_thread = None;
        self.join()
    }
}

impl Drop for HashingFile {
    /// An export that stops early still waits for its writer, so the caller can remove
    /// the file once nothing writes to it.
    fn drop(&mut self) {
        self.to_thread = None;
        let _ = self.join();
    }
}

impl Write for HashingFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= HANDOFF {
            self.hand_off()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
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

/// Hashes every byte read through it (for a parser that reads the file on its own terms).
pub struct HashingRead<R: Read> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashingRead<R> {
    pub fn new(inner: R) -> Self {
        HashingRead {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Hash the rest of the input and return (sha256 hex, bytes).
    pub fn finish(mut self) -> io::Result<(String, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok((hex::encode(self.hasher.finalize()), self.bytes))
    }
}

impl<R: Read> Read for HashingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_bytes_and_lines_match_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut f = HashingFile::create(&path).unwrap();
        let line = vec![b'x'; 999];
        for _ in 0..3000 {
            f.write_all(&line).unwrap();
            f.write_all(b"\n").unwrap();
        }
        let (sha, bytes, lines) = f.finish().unwrap();
        let written = std::fs::read(&path).unwrap();
        assert_eq!((bytes, lines), (3_000_000, 3000));
        assert_eq!(sha, hex::encode(Sha256::digest(&written)));
    }

    #[test]
    fn a_partly_read_input_is_hashed_whole() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut r = HashingRead::new(&data[..]);
        let mut head = [0u8; 777];
        r.read_exact(&mut head).unwrap();
        assert_eq!(
            r.finish().unwrap(),
            (hex::encode(Sha256::digest(&data)), 100_000)
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_reported_as_such() {
        let mut f = HashingFile::create(Path::new("/dev/full")).unwrap();
        let chunk = vec![b'x'; 1 << 16];
        let mut result = Ok(());
        for _ in 0..200 {
            result = f.write_all(&chunk);
            if result.is_err() {
                break;
            }
        }
        let err = match result {
            Err(e) => e,
            Ok(()) => f.finish().unwrap_err(),
        };
        assert_eq!(err.kind(), io::ErrorKind::StorageFull, "{err}");
    }
}
