//! What the real binary refuses and sets up at start: it will not listen beyond loopback
//! without knowing its public origin, and what it writes is private to its user.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use common::binary::{free_port, import_fixture, Server, BIN};

#[test]
fn listening_beyond_loopback_needs_a_public_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["--data-dir", dir.path().to_str().unwrap(), "serve"])
        .args(["--addr", &format!("0.0.0.0:{}", free_port())])
        .env_remove("SHELFWISE_PUBLIC_URL")
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs --public-url"), "{stderr}");
}

/// Every entry under `dir` whose mode lets anyone but the owner in.
fn shared_entries(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 && !meta.file_type().is_symlink() {
            found.push(format!("{} {mode:o}", entry.path().display()));
        }
        if meta.is_dir() {
            shared_entries(&entry.path(), found);
        }
    }
}

#[test]
fn the_data_folder_is_private_even_one_made_before() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    import_fixture(&data);
    // A data folder left world-readable by an older version, or by hand.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(data.join("notes.txt"), "x").unwrap();
    std::fs::set_permissions(
        data.join("notes.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let server = Server::start(&data, free_port(), &[]);
    // Readiness means the model was trained and written too.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while server.get("/readyz").is_err() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(data.join("model.bin").exists());
    let mut shared = Vec::new();
    shared_entries(&data, &mut shared);
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert!(shared.is_empty(), "readable by others: {shared:?}");
}
