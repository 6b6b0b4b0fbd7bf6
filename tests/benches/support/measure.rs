//! Measuring a program as a person would run it: wall time and peak memory, through Debian's
//! `/usr/bin/time`. Shared by the benchmarks that run the `concord` binary.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Runs `command` under `/usr/bin/time`; its wall time in seconds and peak memory in KiB.
pub fn measure(command: &mut Command, out: &Path) -> (f64, u64) {
    let report = out.with_extension("time");
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
    let started = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(program)
        .args(args)
        .stdout(Stdio::from(std::fs::File::create(out).expect("output")))
        .stderr(Stdio::null())
        .status()
        .expect("/usr/bin/time (Debian package time)");
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "{command:?}");
    let peak = std::fs::read_to_string(&report)
        .expect("time's report")
        .trim()
        .parse()
        .expect("KiB");
    (seconds, peak)
}
