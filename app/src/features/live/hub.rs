//! The rooms of one server: one per PEP someone has open, holding who is in it, which field
//! each is in, and a broadcast that fans every event out to the room's connections. Each
//! connection then shapes the event for its own person's rights (`socket`).
//!
//! Only presence and drafts live here, and both are ephemeral. Committed changes are read from
//! the database once per room when the doorbell rings (or, as a safety net for writers that do
//! not ring, when the room's two-second check finds the PEP's revision moved on).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch};

use super::changes::{Changes, changes_since};
use super::notifier::{Doorbell, InProcessNotifier, Notifier};
use crate::domain::live::{FieldKey, PRESENCE_LIMIT, Present, holder_of};
use crate::infra::db::Db;

/// How often each room checks the PEP's revision without a doorbell, and re-reads who holds a
/// field (a hold lapses after `LOCK_IDLE_SECONDS` without typing).
const ROOM_CHECK: Duration = Duration::from_secs(2);
/// How often old edit ids are forgotten (see `applied_edits`).
const TIDY_EVERY: Duration = Duration::from_secs(60 * 60);
/// Changes of presence within this long go out as one list: a hundred people arriving at once
/// are one message each, not a hundred.
const PRESENCE_PAUSE: Duration = Duration::from_millis(100);

/// One person's connection to a room.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    /// "social worker".
    pub role: String,
    pub field: Option<FieldKey>,
    /// When they went into `field`, and last typed or moved (seconds on the hub's clock).
    took_at: i64,
    active_at: i64,
    /// Whether they have typed in `field` since going into it: a tap is "in", not "typing".
    typed: bool,
}

impl Member {
    pub fn new(name: String, role: String) -> Member {
        Member {
            name,
            role,
            field: None,
            took_at: 0,
            active_at: 0,
            typed: false,
        }
    }
}

/// Something every connection of a room hears, then shapes for its own person.
#[derive(Debug, Clone)]
pub enum RoomEvent {
    /// Who is here now and where (every field named; each connection hides the ones its person
    /// may not read), the first `PRESENCE_LIMIT`, and how many more.
    Presence(Arc<(Vec<Present>, usize)>),
    Draft {
        connection: u64,
        by: String,
        field: FieldKey,
        value: String,
    },
    Changed(Arc<Changes>),
    /// Sessions or rights changed (a sign-out, a deactivation, a new role): every connection
    /// asks again who it is and what its person may do, and closes if the answer is "nothing".
    Recheck,
}

struct Room {
    members: BTreeMap<u64, Member>,
    events: broadcast::Sender<RoomEvent>,
    /// The revision whose changes this room last sent.
    shown_revision: i64,
    /// Who held which field at the last look, to tell the room when a hold lapses.
    holders: Vec<(FieldKey, u64)>,
    /// A presence list is about to go out.
    presence_due: bool,
}

impl Room {
    fn holder_table(&self) -> Vec<(u64, Option<&FieldKey>, i64, i64)> {
        self.members
            .iter()
            .map(|(c, m)| (*c, m.field.as_ref(), m.took_at, m.active_at))
            .collect()
    }

    fn holders(&self, now: i64) -> Vec<(FieldKey, u64)> {
        let table = self.holder_table();
        let mut fields: Vec<&FieldKey> = self
            .members
            .values()
            .filter_map(|m| m.field.as_ref())
            .collect();
        fields.sort();
        fields.dedup();
        fields
            .into_iter()
            .filter_map(|f| Some((f.clone(), holder_of(&table, f, now)?)))
            .collect()
    }

    fn tell(&self, event: RoomEvent) {
        // No receiver left: the last connection is leaving.
        let _ = self.events.send(event);
    }

    /// Everyone here (the first `PRESENCE_LIMIT` to arrive) with every field named, and how
    /// many more.
    fn presence(&self, now: i64) -> (Vec<Present>, usize) {
        let table = self.holder_table();
        let people = self
            .members
            .iter()
            .take(PRESENCE_LIMIT)
            .map(|(connection, m)| Present {
                connection: *connection,
                name: m.name.clone(),
                role: m.role.clone(),
                field: m.field.clone(),
                holds: m
                    .field
                    .as_ref()
                    .is_some_and(|f| holder_of(&table, f, now) == Some(*connection)),
                typing: m.typed,
            })
            .collect();
        (people, self.members.len().saturating_sub(PRESENCE_LIMIT))
    }
}

struct Inner {
    rooms: Mutex<HashMap<String, Room>>,
    next_connection: AtomicU64,
    notifier: Arc<dyn Notifier>,
    closing: watch::Sender<bool>,
    epoch: Instant,
}

/// The live rooms of this server; cheap to clone (one shared inside).
#[derive(Clone)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub")
            .field("notifier", &self.inner.notifier)
            .finish_non_exhaustive()
    }
}

impl LiveHub {
    pub fn new(notifier: Arc<dyn Notifier>) -> LiveHub {
        LiveHub {
            inner: Arc::new(Inner {
                rooms: Mutex::new(HashMap::new()),
                next_connection: AtomicU64::new(1),
                notifier,
                closing: watch::channel(false).0,
                epoch: Instant::now(),
            }),
        }
    }

    /// One server on its own.
    pub fn in_process() -> LiveHub {
        LiveHub::new(Arc::new(InProcessNotifier::default()))
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<String, Room>> {
        // A panic while holding the lock leaves plain data behind: carry on with it.
        self.inner
            .rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Seconds on the hub's clock.
    fn now(&self) -> i64 {
        i64::try_from(self.inner.epoch.elapsed().as_secs()).unwrap_or(i64::MAX)
    }

    /// Adds a connection to the PEP's room (opening the room at `revision`, the PEP's revision
    /// read just before), and returns its number and what the room will say from now on.
    pub fn join(
        &self,
        pep_id: &str,
        member: Member,
        revision: i64,
    ) -> (u64, broadcast::Receiver<RoomEvent>) {
        let connection = self.inner.next_connection.fetch_add(1, Ordering::Relaxed);
        let mut rooms = self.rooms();
        let room = rooms.entry(pep_id.to_string()).or_insert_with(|| Room {
            members: BTreeMap::new(),
            events: broadcast::channel(1024).0,
            shown_revision: revision,
            holders: Vec::new(),
            presence_due: false,
        });
        let events = room.events.subscribe();
        room.members.insert(connection, member);
        drop(rooms);
        self.presence_changed(pep_id);
        (connection, events)
    }

    pub fn leave(&self, pep_id: &str, connection: u64) {
        let mut rooms = self.rooms();
        if let Some(room) = rooms.get_mut(pep_id) {
            room.members.remove(&connection);
            if room.members.is_empty() {
                rooms.remove(pep_id);
            } else {
                drop(rooms);
                self.presence_changed(pep_id);
            }
        }
    }

    /// Sends the room's presence list shortly, once for every change until then.
    fn presence_changed(&self, pep_id: &str) {
        {
            let mut rooms = self.rooms();
            match rooms.get_mut(pep_id) {
                Some(room) if !room.presence_due => room.presence_due = true,
                _ => return,
            }
        }
        let hub = self.clone();
        let pep_id = pep_id.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(PRESENCE_PAUSE).await;
            let now = hub.now();
            let mut rooms = hub.rooms();
            if let Some(room) = rooms.get_mut(&pep_id) {
                room.presence_due = false;
                let presence = room.presence(now);
                room.tell(RoomEvent::Presence(Arc::new(presence)));
            }
        });
    }

    /// The connection moved into `field` (or out of every field).
    pub fn focus(&self, pep_id: &str, connection: u64, field: Option<FieldKey>) {
        let now = self.now();
        let mut rooms = self.rooms();
        let Some(room) = rooms.get_mut(pep_id) else {
            return;
        };
        if let Some(member) = room.members.get_mut(&connection) {
            if member.field != field {
                member.took_at = now;
                member.typed = false;
            }
            member.field = field;
            member.active_at = now;
        }
        room.holders = room.holders(now);
        drop(rooms);
        self.presence_changed(pep_id);
    }

    /// Passes on what the connection is typing in `field`, which it must hold: otherwise the
    /// name of whoever does (or "nobody" when it is not in the field).
    pub fn draft(
        &self,
        pep_id: &str,
        connection: u64,
        field: FieldKey,
        value: String,
    ) -> Result<(), String> {
        let now = self.now();
        let mut rooms = self.rooms();
        let Some(room) = rooms.get_mut(pep_id) else {
            return Err(String::new());
        };
        let Some(member) = room.members.get_mut(&connection) else {
            return Err(String::new());
        };
        if member.field.as_ref() != Some(&field) {
            member.field = Some(field.clone());
            member.took_at = now;
            member.typed = false;
        }
        member.active_at = now;
        // The first keystroke in a field changes what others read ("is in" to "is typing in").
        let first_keystroke = !member.typed;
        member.typed = true;
        let by = member.name.clone();
        match holder_of(&room.holder_table(), &field, now) {
            Some(holder) if holder == connection => {
                room.tell(RoomEvent::Draft {
                    connection,
                    by,
                    field,
                    value,
                });
                drop(rooms);
                if first_keystroke {
                    self.presence_changed(pep_id);
                }
                Ok(())
            }
            holder => Err(holder
                .and_then(|h| room.members.get(&h))
                .map(|m| format!("{} ({})", m.name, m.role))
                .unwrap_or_default()),
        }
    }

    /// Everyone in the PEP's room now (the first `PRESENCE_LIMIT`) and how many more, every
    /// field named: the caller hides what its person may not read.
    pub fn people(&self, pep_id: &str) -> (Vec<Present>, usize) {
        let now = self.now();
        self.rooms()
            .get(pep_id)
            .map(|room| room.presence(now))
            .unwrap_or_default()
    }

    /// After a commit: PEP `pep_id` is at `revision`.
    pub fn ring(&self, pep_id: &str, revision: i64) {
        self.inner.notifier.publish(Doorbell {
            pep_id: pep_id.to_string(),
            revision,
        });
    }

    /// Makes every connection ask again who it is and what it may do now: after a sign-out, a
    /// deactivation or a change of role, so a connection closes at once rather than at its
    /// next message.
    pub fn recheck_all(&self) {
        for room in self.rooms().values() {
            room.tell(RoomEvent::Recheck);
        }
    }

    /// Becomes true when the server is shutting down: every connection says so and closes, so
    /// browsers reconnect to the next server.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    pub fn close_all(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Reads what changed in the PEP since its room last said, and tells the room.
    async fn refresh(&self, db: &Db, pep_id: &str) {
        let since = match self.rooms().get(pep_id) {
            Some(room) => room.shown_revision,
            None => return,
        };
        let changes = match changes_since(db, pep_id, since).await {
            Ok(Some(changes)) => changes,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, pep_id, "live: could not read a PEP's changes");
                return;
            }
        };
        let mut rooms = self.rooms();
        if let Some(room) = rooms.get_mut(pep_id)
            && changes.revision > room.shown_revision
        {
            room.shown_revision = changes.revision;
            room.tell(RoomEvent::Changed(Arc::new(changes)));
        }
    }

    /// The hub's background task: answers doorbells, checks every room every two seconds, and
    /// tells a room when a field's hold lapses. Runs until the server stops.
    pub fn start(&self, db: Db) {
        let hub = self.clone();
        let mut doorbells = self.inner.notifier.subscribe();
        tokio::spawn(async move {
            let mut check = tokio::time::interval(ROOM_CHECK);
            check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut tidy = tokio::time::interval(TIDY_EVERY);
            loop {
                tokio::select! {
                    _ = tidy.tick() => {
                        let before = chrono::Utc::now() - super::applied_edits::KEEP_EDIT_IDS;
                        if let Err(error) = super::applied_edits::forget_applied_edits(&db, before).await {
                            tracing::warn!(%error, "live: could not forget old edit ids");
                        }
                    }
                    doorbell = doorbells.recv() => match doorbell {
                        Ok(Doorbell { pep_id, .. }) => hub.refresh(&db, &pep_id).await,
                        Err(broadcast::error::RecvError::Lagged(_)) => hub.check_every_room(&db).await,
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    _ = check.tick() => hub.check_every_room(&db).await,
                }
            }
        });
    }

    async fn check_every_room(&self, db: &Db) {
        let now = self.now();
        let open: Vec<String> = {
            let mut rooms = self.rooms();
            let mut lapsed = Vec::new();
            for (pep_id, room) in rooms.iter_mut() {
                let holders = room.holders(now);
                if holders != room.holders {
                    room.holders = holders;
                    lapsed.push(pep_id.clone());
                }
            }
            let open = rooms.keys().cloned().collect();
            drop(rooms);
            for pep_id in lapsed {
                self.presence_changed(&pep_id);
            }
            open
        };
        for pep_id in open {
            self.refresh(db, &pep_id).await;
        }
    }
}
