//! The second-user harness works: files made by the other account are
//! theirs, in a directory shared like /tmp.

mod common;

use std::os::unix::fs::MetadataExt;

use common::{Fixture, other_user};

#[test]
fn other_user_owns_what_it_makes() {
    let Some(mallory) = other_user("rvt-mallory", None) else {
        return;
    };
    let fx = Fixture::new();
    let tmp = fx.shared_tmp();
    mallory.sh(&tmp, "mkdir bp && ln -s /nonexistent bp/.venv");
    let meta = tmp.join("bp/.venv").symlink_metadata().unwrap();
    assert_eq!(meta.uid(), mallory.uid);
    assert_ne!(mallory.uid, 0);
}
