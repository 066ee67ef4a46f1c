//! The doorbell between whatever changed a PEP and the live rooms that show it.
//!
//! A doorbell carries only the PEP and its new revision: every server then reads the change
//! from the database, which stays the only record. One server uses [`InProcessNotifier`]. Several
//! servers on PostgreSQL would use a notifier whose `publish` runs `SELECT pg_notify('pep_changes',
//! '<pep_id> <revision>')` and whose background task `LISTEN`s on `pep_changes` and feeds the same
//! broadcast: nothing else in the hub changes.

use tokio::sync::broadcast;

/// "PEP `pep_id` is now at `revision`."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doorbell {
    pub pep_id: String,
    pub revision: i64,
}

pub trait Notifier: Send + Sync + std::fmt::Debug + 'static {
    /// Rings for every subscriber, on this server and (for a shared notifier) every other.
    fn publish(&self, doorbell: Doorbell);
    /// Every doorbell from now on. A subscriber that falls behind is told it lagged, and then
    /// re-reads what it shows from the database.
    fn subscribe(&self) -> broadcast::Receiver<Doorbell>;
}

/// One server: a broadcast in memory.
#[derive(Debug, Clone)]
pub struct InProcessNotifier {
    sender: broadcast::Sender<Doorbell>,
}

impl Default for InProcessNotifier {
    fn default() -> Self {
        InProcessNotifier {
            sender: broadcast::channel(1024).0,
        }
    }
}

impl Notifier for InProcessNotifier {
    fn publish(&self, doorbell: Doorbell) {
        // Nobody listening (no room open) is fine: nothing to tell.
        let _ = self.sender.send(doorbell);
    }

    fn subscribe(&self) -> broadcast::Receiver<Doorbell> {
        self.sender.subscribe()
    }
}
