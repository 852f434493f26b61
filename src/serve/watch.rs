//! File-system events, folded into batches of changed paths for
//! `handbook serve`: one batch per save, however the editor saves.
//!
//! A save is a burst of events: an editor writes a temporary file and
//! renames it over the entry, or truncates the entry and writes it again;
//! `git checkout` changes many files at once. A batch is ready when its
//! burst is over, and the events tell when that is:
//!
//! - when the last event of every path in the batch completes a write (the
//!   file was closed after writing, or another file was renamed onto it),
//!   the batch waits only [`GRACE`] for stragglers;
//! - otherwise (a write still open, a file created or removed, a folder
//!   renamed) it waits until no event has come for [`QUIET`].
//!
//! So the usual save reaches the rebuild within a few milliseconds, and a
//! half-written file is not read while its editor is still writing it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use notify::EventKind;
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};

/// How long a batch whose writes are complete waits for more events.
pub const GRACE: Duration = Duration::from_millis(3);

/// How long a batch with a write in progress waits for the events to stop.
pub const QUIET: Duration = Duration::from_millis(50);

/// The changed paths of one burst of events.
#[derive(Debug, Default)]
pub struct Batch {
    /// Path → whether its last event completed a write.
    paths: BTreeMap<PathBuf, bool>,
    last: Option<Instant>,
}

impl Batch {
    /// Takes in one event that came at `now`. Reads are not changes, and
    /// editors' temporary and backup files (`is_noise`) are not the
    /// handbook's.
    pub fn add(&mut self, event: &notify::Event, now: Instant, is_noise: impl Fn(&Path) -> bool) {
        let complete = match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) | EventKind::Other => return,
            EventKind::Modify(ModifyKind::Name(RenameMode::To)) => true,
            _ => false,
        };
        let mut added = false;
        for (i, path) in event.paths.iter().enumerate() {
            if is_noise(path) {
                continue;
            }
            // A rename from one path to another completes the second.
            let complete =
                complete || matches!(event.kind, EventKind::Modify(ModifyKind::Name(RenameMode::Both))) && i == 1;
            self.paths.insert(path.clone(), complete);
            added = true;
        }
        if added {
            self.last = Some(now);
        }
    }

    /// When the batch is ready, if it has any paths.
    pub fn due(&self) -> Option<Instant> {
        let last = self.last?;
        Some(last + if self.paths.values().all(|&complete| complete) { GRACE } else { QUIET })
    }

    /// The batch's paths, sorted; the batch is empty afterwards.
    pub fn take(&mut self) -> Vec<PathBuf> {
        self.last = None;
        std::mem::take(&mut self.paths).into_keys().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::Event;
    use notify::event::{CreateKind, DataChange, RemoveKind};

    fn event(kind: EventKind, paths: &[&str]) -> Event {
        paths.iter().fold(Event::new(kind), |e, p| e.add_path(PathBuf::from(p)))
    }

    fn noise(p: &Path) -> bool {
        p.to_string_lossy().ends_with(".tmp")
    }

    const WRITE: EventKind = EventKind::Modify(ModifyKind::Data(DataChange::Any));
    const CLOSE: EventKind = EventKind::Access(AccessKind::Close(AccessMode::Write));

    #[test]
    fn a_write_in_place_is_ready_once_closed() {
        let t = Instant::now();
        let mut b = Batch::default();
        b.add(&event(WRITE, &["a.md"]), t, noise);
        assert_eq!(b.due(), Some(t + QUIET));
        b.add(&event(CLOSE, &["a.md"]), t, noise);
        assert_eq!(b.due(), Some(t + GRACE));
        assert_eq!(b.take(), vec![PathBuf::from("a.md")]);
        assert_eq!(b.due(), None);
    }

    #[test]
    fn an_atomic_save_is_ready_once_renamed() {
        let t = Instant::now();
        let mut b = Batch::default();
        b.add(&event(EventKind::Create(CreateKind::File), &["a.md.tmp"]), t, noise);
        b.add(&event(WRITE, &["a.md.tmp"]), t, noise);
        b.add(&event(CLOSE, &["a.md.tmp"]), t, noise);
        assert_eq!(b.due(), None, "a temporary file alone is no change");
        b.add(&event(EventKind::Modify(ModifyKind::Name(RenameMode::To)), &["a.md"]), t, noise);
        b.add(&event(EventKind::Modify(ModifyKind::Name(RenameMode::Both)), &["a.md.tmp", "a.md"]), t, noise);
        assert_eq!(b.due(), Some(t + GRACE));
        assert_eq!(b.take(), vec![PathBuf::from("a.md")]);
    }

    #[test]
    fn removals_renames_and_unfinished_writes_wait_for_quiet() {
        let t = Instant::now();
        let later = t + Duration::from_millis(7);
        let mut b = Batch::default();
        b.add(&event(CLOSE, &["a.md"]), t, noise);
        b.add(&event(EventKind::Remove(RemoveKind::File), &["b.md"]), later, noise);
        assert_eq!(b.due(), Some(later + QUIET));
        let mut b = Batch::default();
        b.add(&event(EventKind::Modify(ModifyKind::Name(RenameMode::Both)), &["old.md", "new.md"]), t, noise);
        assert_eq!(b.due(), Some(t + QUIET), "the old name may be about to come back");
        let mut b = Batch::default();
        b.add(&event(CLOSE, &["a.md"]), t, noise);
        b.add(&event(WRITE, &["a.md"]), later, noise);
        assert_eq!(b.due(), Some(later + QUIET), "written again after closing");
    }

    #[test]
    fn reads_are_not_changes() {
        let mut b = Batch::default();
        b.add(&event(EventKind::Access(AccessKind::Read), &["a.md"]), Instant::now(), noise);
        b.add(&event(EventKind::Access(AccessKind::Close(AccessMode::Read)), &["a.md"]), Instant::now(), noise);
        assert_eq!(b.due(), None);
        assert!(b.take().is_empty());
    }
}
