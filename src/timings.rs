//! How long each stage of a run took (`--timings`), and the process's peak
//! memory at its end.

use std::time::{Duration, Instant};

/// One stage of a run: its name, how long it took, and the process's peak
/// resident memory (bytes) when it ended, where the system tells it.
#[derive(Clone, Debug)]
pub struct Phase {
    pub name: &'static str,
    pub took: Duration,
    pub peak_memory: Option<u64>,
}

/// How long each stage of a run took, in order (`handbook build --timings`).
#[derive(Clone, Debug)]
pub struct Timings {
    phases: Vec<Phase>,
    last: Instant,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings::new()
    }
}

impl Timings {
    pub fn new() -> Timings {
        Timings { phases: Vec::new(), last: Instant::now() }
    }

    /// Records the time since the previous lap (or since `new`) as `phase`.
    pub fn lap(&mut self, phase: &'static str) {
        let now = Instant::now();
        self.phases.push(Phase { name: phase, took: now - self.last, peak_memory: peak_memory() });
        self.last = now;
    }

    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }
}

/// The process's peak resident memory so far (`VmHWM` on Linux; None elsewhere).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

impl std::fmt::Display for Timings {
    /// `load 12.0 ms · model 30.5 ms (peak 180 MiB) · …`: the peak is shown
    /// where it grew during the stage.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown_peak = 0;
        for (i, phase) in self.phases.iter().enumerate() {
            if i > 0 {
                f.write_str(" · ")?;
            }
            write!(f, "{} {:.1} ms", phase.name, phase.took.as_secs_f64() * 1000.0)?;
            if let Some(peak) = phase.peak_memory.filter(|&p| p > shown_peak) {
                write!(f, " (peak {} MiB)", peak / (1024 * 1024))?;
                shown_peak = peak;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_each_phase_in_order_with_its_time() {
        let mut t = Timings::new();
        t.lap("load");
        t.lap("model");
        let shown = t.to_string();
        let load = shown.find("load ").expect(&shown);
        let model = shown.find(" · model ").expect(&shown);
        assert!(load < model, "{shown}");
        assert_eq!(t.phases().len(), 2);
        if cfg!(target_os = "linux") {
            assert!(t.phases()[0].peak_memory.unwrap() > 0);
            assert!(shown.contains(" MiB)"), "{shown}");
        }
    }
}
