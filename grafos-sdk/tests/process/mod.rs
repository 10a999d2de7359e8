//! This process's threads and resident memory, from /proc (Linux), for the
//! tests that check launches leave neither behind. grafos-runtime's soak
//! test includes this file too.

/// The number in `field` (`"Threads:"`, `"VmRSS:"`) of /proc/self/status.
fn status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Threads of this process.
pub(crate) fn thread_count() -> u64 {
    status("Threads:")
}

/// Resident memory of this process, in KiB.
pub(crate) fn rss_kib() -> u64 {
    status("VmRSS:")
}
