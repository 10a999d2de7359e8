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
#[allow(dead_code)] // not every test binary that includes this file uses it
pub(crate) fn thread_count() -> u64 {
    status("Threads:")
}

/// Threads of this process whose name starts with `prefix` (from
/// /proc/self/task/*/comm): the host mock's lane threads are
/// `grafos-lane-N`. Unlike [`thread_count`], it does not see the test
/// harness start a thread for another test meanwhile.
#[allow(dead_code)] // not every test binary that includes this file uses it
pub(crate) fn threads_named(prefix: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with(prefix))
        .count()
}

/// Resident memory of this process, in KiB.
pub(crate) fn rss_kib() -> u64 {
    status("VmRSS:")
}
