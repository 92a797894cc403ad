//! `store.dump`, the data file: every tree's records in one stream, read back with every length
//! checked against what is left of the file, so a damaged dump is reported rather than read past.
//! The layout is in the [module docs](super).

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use super::manifest::VERSION;
use super::BackupError;

const MAGIC: &[u8; 8] = b"SWBACKUP";
const TAG_TREE: u8 = b'T';
const TAG_RECORD: u8 = b'R';
const TAG_END: u8 = b'Z';

/// Writes a dump: [`DumpWriter::start`], then per tree [`DumpWriter::tree`] and its
/// [`DumpWriter::record`]s, then [`DumpWriter::end`].
pub(super) struct DumpWriter<W: Write> {
    w: W,
}

impl<W: Write> DumpWriter<W> {
    /// Write the header (magic and version).
    pub(super) fn start(mut w: W) -> io::Result<Self> {
        w.write_all(MAGIC)?;
        w.write_all(&VERSION.to_be_bytes())?;
        Ok(DumpWriter { w })
    }

    /// Begin a tree: the records that follow are its own.
    pub(super) fn tree(&mut self, name: &[u8]) -> io::Result<()> {
        self.w.write_all(&[TAG_TREE])?;
        write_bytes(&mut self.w, name)
    }

    /// One record of the current tree.
    pub(super) fn record(&mut self, key: &[u8], value: &[u8]) -> io::Result<()> {
        self.w.write_all(&[TAG_RECORD])?;
        write_bytes(&mut self.w, key)?;
        write_bytes(&mut self.w, value)
    }

    /// Write the end mark and hand back the writer (not flushed).
    pub(super) fn end(mut self) -> io::Result<W> {
        self.w.write_all(&[TAG_END])?;
        Ok(self.w)
    }
}

fn write_bytes(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "record over 4 GiB"))?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(bytes)
}

/// One item of a dump, in file order.
pub(super) enum Item {
    /// A tree begins: its name.
    Tree(Vec<u8>),
    /// A record of the last tree: key and value.
    Record(Vec<u8>, Vec<u8>),
}

/// Reads a dump item by item, refusing anything that does not fit the file.
pub(super) struct DumpReader {
    path: PathBuf,
    r: BufReader<File>,
    left: u64,
    done: bool,
}

impl DumpReader {
    /// Open `path` and check its header.
    pub(super) fn open(path: &Path) -> Result<DumpReader, BackupError> {
        let file = File::open(path).map_err(|e| BackupError::io(path, e))?;
        let left = file.metadata().map_err(|e| BackupError::io(path, e))?.len();
        let mut reader = DumpReader {
            path: path.to_path_buf(),
            r: BufReader::new(file),
            left,
            done: false,
        };
        let mut magic = [0u8; 8];
        reader.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(BackupError::damaged(path, "not a Shelfwise store dump"));
        }
        let mut version = [0u8; 4];
        reader.read_exact(&mut version)?;
        if u32::from_be_bytes(version) != VERSION {
            return Err(BackupError::damaged(path, "unknown dump version"));
        }
        Ok(reader)
    }

    /// The next item, or `None` after the end mark (which must be the file's last byte).
    pub(super) fn next_item(&mut self) -> Result<Option<Item>, BackupError> {
        if self.done {
            return Ok(None);
        }
        let mut tag = [0u8; 1];
        self.read_exact(&mut tag)?;
        match tag[0] {
            TAG_TREE => Ok(Some(Item::Tree(self.bytes()?))),
            TAG_RECORD => {
                let key = self.bytes()?;
                Ok(Some(Item::Record(key, self.bytes()?)))
            }
            TAG_END if self.left == 0 => {
                self.done = true;
                Ok(None)
            }
            TAG_END => Err(self.damaged("data after its end")),
            _ => Err(self.damaged("an unknown tag")),
        }
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), BackupError> {
        if (buf.len() as u64) > self.left {
            return Err(self.damaged("it ends early"));
        }
        self.r
            .read_exact(buf)
            .map_err(|e| BackupError::io(&self.path, e))?;
        self.left -= buf.len() as u64;
        Ok(())
    }

    fn bytes(&mut self) -> Result<Vec<u8>, BackupError> {
        let mut len = [0u8; 4];
        self.read_exact(&mut len)?;
        let len = u32::from_be_bytes(len) as u64;
        // Checked before allocating, so a damaged length cannot ask for a huge buffer.
        if len > self.left {
            return Err(self.damaged("a length runs past its end"));
        }
        let mut buf = vec![0u8; len as usize];
        self.read_exact(&mut buf)?;
        Ok(buf)
    }

    fn damaged(&self, why: &'static str) -> BackupError {
        BackupError::damaged(&self.path, why)
    }
}
