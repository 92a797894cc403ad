//! Files only the server's own user can read: the store holds password hashes and every
//! reader's library, the model and backups are built from them.
//!
//! Every command starts by setting the process's umask to `077`, so whatever it creates
//! (sled's files, `model.bin`, backups, reports) is `0600` and every folder `0700`, and by
//! tightening a data folder written before this rule (or by a tool with a looser umask).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rustix::fs::Mode;

/// Make new files private to this user for the rest of the process.
pub fn private_umask() {
    rustix::process::umask(Mode::from_raw_mode(0o077));
}

/// Make `data_dir` (created if missing) `0700`, and what is in it no wider than `0600` for
/// files and `0700` for folders. Returns how many entries were tightened.
pub fn tighten(data_dir: &Path) -> std::io::Result<usize> {
    fs::create_dir_all(data_dir)?;
    tighten_tree(data_dir, 0)
}

/// Folders deeper than this are left alone (the data folder's own layout is two deep; a
/// backup folder kept inside it one more).
const MAX_DEPTH: usize = 3;

fn tighten_tree(path: &Path, depth: usize) -> std::io::Result<usize> {
    // The symlink's target may be anywhere: it is not ours to change.
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(0);
    }
    let mode = meta.permissions().mode() & 0o777;
    let private = mode & 0o700;
    let mut tightened = 0;
    if mode != private {
        fs::set_permissions(path, fs::Permissions::from_mode(private))?;
        tightened += 1;
    }
    if meta.is_dir() && depth < MAX_DEPTH {
        for entry in fs::read_dir(path)? {
            tightened += tighten_tree(&entry?.path(), depth + 1)?;
        }
    }
    Ok(tightened)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_loose_data_folder_is_tightened_and_symlinks_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::create_dir_all(data.join("store")).unwrap();
        fs::write(data.join("model.bin"), b"m").unwrap();
        fs::write(data.join("store/db"), b"d").unwrap();
        let outside = dir.path().join("elsewhere");
        fs::write(&outside, b"x").unwrap();
        std::os::unix::fs::symlink(&outside, data.join("link")).unwrap();
        for p in [&data, &data.join("store")] {
            fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
        }
        for p in [&data.join("model.bin"), &data.join("store/db"), &outside] {
            fs::set_permissions(p, fs::Permissions::from_mode(0o644)).unwrap();
        }
        assert_eq!(tighten(&data).unwrap(), 4);
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("store")), 0o700);
        assert_eq!(mode(&data.join("model.bin")), 0o600);
        assert_eq!(mode(&data.join("store/db")), 0o600);
        assert_eq!(mode(&outside), 0o644);
        assert_eq!(tighten(&data).unwrap(), 0);
    }
}
