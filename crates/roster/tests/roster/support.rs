use std::path::{Path, PathBuf};

pub const FILES: [&str; 4] = ["orgs.csv", "users.csv", "classes.csv", "enrollments.csv"];

pub fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

/// A fresh temporary directory holding the good roster, for one test.
pub fn good_copy(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("badgein-roster-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for file in FILES {
        std::fs::copy(data("good").join(file), dir.join(file)).expect("copy a fixture");
    }
    dir
}

/// The four good files' contents.
pub fn good_bytes() -> [Vec<u8>; 4] {
    FILES.map(|file| std::fs::read(data("good").join(file)).expect("read a fixture"))
}
