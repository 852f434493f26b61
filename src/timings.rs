//! How long each stage of a run took (`--timings`).

use std::time::{Duration, Instant};

/// How long each stage of a run took, in order (`handbook build --timings`).
#[derive(Clone, Debug)]
pub struct Timings {
    phases: Vec<(&'static str, Duration)>,
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
        self.phases.push((phase, now - self.last));
        self.last = now;
    }

    pub fn phases(&self) -> &[(&'static str, Duration)] {
        &self.phases
    }
}

impl std::fmt::Display for Timings {
    /// `load 12 ms · model 30 ms · …`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (phase, took)) in self.phases.iter().enumerate() {
            if i > 0 {
                f.write_str(" · ")?;
            }
            write!(f, "{phase} {:.1} ms", took.as_secs_f64() * 1000.0)?;
        }
        Ok(())
    }
}
