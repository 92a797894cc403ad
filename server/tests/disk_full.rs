//! A full disk: with the store on a small tmpfs this test mounts, a write that cannot be
//! stored answers a clear 503, the server stays up, nothing acknowledged is lost (across a
//! `kill -9` too), and writes go through again once space returns.
//!
//! Mounting needs root (CI runs as root); elsewhere the test says so and passes only when the
//! real-data tests are not required (`make test` requires them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::binary::{free_port, import_fixture, my_ratings, post, Server};
use common::{HARRY_POTTER, HUNGER_GAMES, MOCKINGBIRD};

const TMPFS_MB: u64 = 64;
const RESERVE_MB: u64 = 16;

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={TMPFS_MB}m,mode=0700")])
            .arg("tmpfs")
            .arg(at)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(Tmpfs(at.to_path_buf()))
    }

    fn free(&self) -> u64 {
        let stat = rustix::fs::statvfs(&self.0).unwrap();
        stat.f_bavail * stat.f_frsize
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn rate(port: u16, cookie: &str, isbn: &str) -> Result<String, String> {
    post(
        port,
        "rate_book",
        &format!("isbn={isbn}&stars=4"),
        Some(cookie),
    )
    .map(|(b, _)| b)
}

#[test]
fn a_full_disk_refuses_writes_loses_nothing_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let disk = match Tmpfs::mount(&dir.path().join("disk")) {
        Ok(disk) => disk,
        Err(why) if std::env::var_os("SHELFWISE_REQUIRE_DATA").is_none() => {
            eprintln!("skipped: cannot mount a tmpfs here ({why}); run as root");
            return;
        }
        Err(why) => panic!("cannot mount a tmpfs ({why}): this test needs root"),
    };
    let data = disk.0.join("data");
    import_fixture(&data);
    let port = free_port();
    let reserve = RESERVE_MB.to_string();
    let server = Server::start(&data, port, &["--min-free-mb", &reserve]);

    let (_, cookie) = post(
        port,
        "rate_book",
        &format!("isbn={HUNGER_GAMES}&stars=5"),
        None,
    )
    .expect("a first rating");
    let cookie = cookie.expect("an anonymous session");

    // Fill the disk to half the reserve.
    let filler = disk.0.join("filler");
    let fill = disk.free() - (RESERVE_MB << 20) / 2;
    std::fs::write(&filler, vec![0u8; fill as usize]).unwrap();
    let refused = rate(port, &cookie, HARRY_POTTER).unwrap_err();
    assert!(refused.starts_with("503 retry-after=60"), "{refused}");
    assert!(refused.contains("out of disk space"), "{refused}");
    // The server stays up and serves what it has.
    assert_eq!(server.get("/healthz").unwrap(), "ok");
    assert!(server.get("/").is_ok());
    let mine = my_ratings(port, &cookie);
    assert_eq!(mine.get(HUNGER_GAMES), Some(&5));
    assert_eq!(mine.get(HARRY_POTTER), None, "a refused write was stored");

    // Space returns: writes go through again, without a restart.
    std::fs::remove_file(&filler).unwrap();
    rate(port, &cookie, MOCKINGBIRD).expect("a write once space returned");

    // Everything acknowledged survives a kill -9 and a restart.
    server.kill();
    let server = Server::start(&data, port, &["--min-free-mb", &reserve]);
    let mine = my_ratings(port, &cookie);
    assert_eq!(mine.get(HUNGER_GAMES), Some(&5));
    assert_eq!(mine.get(MOCKINGBIRD), Some(&4));
    assert_eq!(mine.get(HARRY_POTTER), None);
    server.kill();
}
