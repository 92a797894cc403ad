//! Looking up a context must not deadlock when the lookup ends up holding the last handle of
//! an ancestor owner. reactive_graph 0.2.16 did (a server worker stuck for good under load);
//! the workspace patches it (vendor/README.md), and this test fails without the patch.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leptos::prelude::*;

#[test]
fn a_context_lookup_that_outlives_an_ancestor_owner_does_not_deadlock() {
    let (tx, rx) = mpsc::channel();
    // On its own thread: a deadlocked lookup never returns, and the test must still end.
    std::thread::spawn(move || {
        let root = Owner::new();
        root.with(|| provide_context(7u32));
        let middle = root.child();
        let leaf = middle.child();
        // The middle owner's only other holder lets go while the lookup walks past it, as
        // when another thread drops a part of the page the lookup is rendering under.
        let holder = Arc::new(Mutex::new(Some(middle)));
        let found = leaf.with(|| {
            with_context::<u32, _>(|v| {
                holder.lock().map(|mut h| h.take()).ok();
                *v
            })
        });
        tx.send(found).ok();
    });
    let found = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the context lookup deadlocked");
    assert_eq!(found, Some(7));
}
