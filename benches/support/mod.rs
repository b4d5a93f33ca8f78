//! The benchmark's harness: the emulator world, the child-process runner, the cost minimum and
//! the report table.

pub mod bulk;
pub mod child;
pub mod cost;
pub mod report;
pub mod scenarios;
pub mod world;

/// The machine the figures come from: cores available and the CPU model (`/proc/cpuinfo`).
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("{cores} cores, {model}")
}
