//! The rooms of one server: one per PEP someone has open, holding who is in it, which field
//! each is in, and a broadcast that fans every event out to the room's connections. Each
//! connection then shapes the event for its own person's rights (`socket`).
//!
//! Only presence and drafts live here, and both are ephemeral. Committed changes are read from
//! the database once per room when the doorbell rings (or, as a safety net for writers that do
//! not ring, when the room's two-second check finds the PEP's revision moved on). A shared-text
//! edit, the bulk of a meeting's traffic, is told to its room as written (`written`) when the
//! room has shown everything before it, so typing costs no read per keystroke.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use super::changes::{Changes, changes_since};
use super::edit_queue::EditQueue;
use super::notifier::{Doorbell, InProcessNotifier, Notifier};
use crate::domain::live::{FieldKey, PRESENCE_LIMIT, Present};
use crate::error::AppError;
use crate::features::pep_form::server::text_edits::{Applied, TextEditRequest};
use crate::infra::db::Db;

/// How often each room checks the PEP's revision without a doorbell.
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
    /// Whether they have typed in `field` since going into it: a tap is "in", not "typing".
    typed: bool,
    /// The paragraph of `field` they last typed in.
    paragraph: Option<u32>,
}

impl Member {
    pub fn new(name: String, role: String) -> Member {
        Member {
            name,
            role,
            field: None,
            typed: false,
            paragraph: None,
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
    /// A presence list is about to go out.
    presence_due: bool,
    /// The room's changes are being read; `read_again` asks for one more read after it.
    reading: bool,
    read_again: bool,
}

impl Room {
    fn tell(&self, event: RoomEvent) {
        // No receiver left: the last connection is leaving.
        let _ = self.events.send(event);
    }

    /// Everyone here (the first `PRESENCE_LIMIT` to arrive) with every field named, and how
    /// many more.
    fn presence(&self) -> (Vec<Present>, usize) {
        let people = self
            .members
            .iter()
            .take(PRESENCE_LIMIT)
            .map(|(connection, m)| Present {
                connection: *connection,
                name: m.name.clone(),
                role: m.role.clone(),
                field: m.field.clone(),
                typing: m.typed,
                paragraph: m.paragraph,
            })
            .collect();
        (people, self.members.len().saturating_sub(PRESENCE_LIMIT))
    }
}

struct Inner {
    rooms: Mutex<HashMap<String, Room>>,
    /// The group commit of edits from the channel, once `start` has run.
    edits: std::sync::OnceLock<EditQueue>,
    next_connection: AtomicU64,
    /// Counts `recheck_all` calls: a connection whose rights were asked before the latest asks
    /// again before it writes (the `Recheck` event may still be queued behind the edit).
    rights_epoch: AtomicU64,
    notifier: Arc<dyn Notifier>,
    closing: watch::Sender<bool>,
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
                edits: std::sync::OnceLock::new(),
                next_connection: AtomicU64::new(1),
                rights_epoch: AtomicU64::new(0),
                notifier,
                closing: watch::channel(false).0,
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
            presence_due: false,
            reading: false,
            read_again: false,
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
            let mut rooms = hub.rooms();
            if let Some(room) = rooms.get_mut(&pep_id) {
                room.presence_due = false;
                let presence = room.presence();
                room.tell(RoomEvent::Presence(Arc::new(presence)));
            }
        });
    }

    /// The connection moved into `field` (or out of every field).
    pub fn focus(&self, pep_id: &str, connection: u64, field: Option<FieldKey>) {
        let mut rooms = self.rooms();
        let Some(member) = rooms
            .get_mut(pep_id)
            .and_then(|room| room.members.get_mut(&connection))
        else {
            return;
        };
        if member.field == field {
            return;
        }
        member.field = field;
        member.typed = false;
        member.paragraph = None;
        drop(rooms);
        self.presence_changed(pep_id);
    }

    /// The connection is typing in `field`, in `paragraph` when it is free text: the others'
    /// presence lists say so when that is news (the first keystroke, a new paragraph).
    fn typing(&self, pep_id: &str, connection: u64, field: &FieldKey, paragraph: Option<u32>) {
        let mut rooms = self.rooms();
        let Some(member) = rooms
            .get_mut(pep_id)
            .and_then(|room| room.members.get_mut(&connection))
        else {
            return;
        };
        if member.field.as_ref() == Some(field) && member.typed && member.paragraph == paragraph {
            return;
        }
        member.field = Some(field.clone());
        member.typed = true;
        member.paragraph = paragraph;
        drop(rooms);
        self.presence_changed(pep_id);
    }

    /// The connection types in free-text `field`, in `paragraph`.
    pub fn typing_text(&self, pep_id: &str, connection: u64, field: &FieldKey, paragraph: u32) {
        self.typing(pep_id, connection, field, Some(paragraph));
    }

    /// Passes on what the connection is typing in the short field `field`.
    pub fn draft(&self, pep_id: &str, connection: u64, field: FieldKey, value: String) {
        self.typing(pep_id, connection, &field, None);
        let rooms = self.rooms();
        let Some(room) = rooms.get(pep_id) else {
            return;
        };
        let Some(member) = room.members.get(&connection) else {
            return;
        };
        room.tell(RoomEvent::Draft {
            connection,
            by: member.name.clone(),
            field,
            value,
        });
    }

    /// Everyone in the PEP's room now (the first `PRESENCE_LIMIT`) and how many more, every
    /// field named: the caller hides what its person may not read.
    pub fn people(&self, pep_id: &str) -> (Vec<Present>, usize) {
        self.rooms()
            .get(pep_id)
            .map(Room::presence)
            .unwrap_or_default()
    }

    /// After a commit of this server that took the PEP from one revision to the next with
    /// exactly `changes` (a shared-text edit): the room hears them at once, without reading
    /// them back, when it has shown everything before them; otherwise it reads them when the
    /// doorbell rings, as for any commit. Other servers are rung either way.
    pub fn written(&self, pep_id: &str, changes: Changes) {
        let revision = changes.revision;
        if let Some(room) = self.rooms().get_mut(pep_id)
            && room.shown_revision == revision - 1
        {
            room.shown_revision = revision;
            room.tell(RoomEvent::Changed(Arc::new(changes)));
        }
        self.ring(pep_id, revision);
    }

    /// Stores a shared-text edit from a live connection and tells its room: with the others
    /// waiting, in one transaction, once `start` has run; alone otherwise.
    pub(crate) async fn apply_text_edit(
        &self,
        db: &Db,
        request: TextEditRequest,
    ) -> Result<Applied, AppError> {
        if let Some(queue) = self.inner.edits.get() {
            return queue.apply(request).await;
        }
        let applied =
            crate::features::pep_form::server::text_edits::apply_text_edit(db, &request).await?;
        if let Applied::Stored { revision, edit } = &applied {
            self.written(
                &request.writer.pep_id,
                Changes::of_text_edit(*revision, edit.clone()),
            );
        }
        Ok(applied)
    }

    /// Whether the PEP's room has yet to show `revision` (a doorbell for it is news).
    fn behind(&self, pep_id: &str, revision: i64) -> bool {
        self.rooms()
            .get(pep_id)
            .is_some_and(|room| room.shown_revision < revision)
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
        self.inner.rights_epoch.fetch_add(1, Ordering::SeqCst);
        for room in self.rooms().values() {
            room.tell(RoomEvent::Recheck);
        }
    }

    /// Which `recheck_all` rights asked now are current with: see `Inner::rights_epoch`.
    pub fn rights_epoch(&self) -> u64 {
        self.inner.rights_epoch.load(Ordering::SeqCst)
    }

    /// Becomes true when the server is shutting down: every connection says so and closes, so
    /// browsers reconnect to the next server.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    pub fn close_all(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Reads the room's changes in a task of its own, so one busy PEP never delays another's
    /// news. One read at a time per room, and one more when the doorbell rang during it, so
    /// every change goes out in order and none waits for the two-second check.
    fn refresh_soon(&self, db: &Db, pep_id: &str) {
        {
            let mut rooms = self.rooms();
            let Some(room) = rooms.get_mut(pep_id) else {
                return;
            };
            if room.reading {
                room.read_again = true;
                return;
            }
            room.reading = true;
        }
        let hub = self.clone();
        let db = db.clone();
        let pep_id = pep_id.to_string();
        tokio::spawn(async move {
            loop {
                hub.refresh(&db, &pep_id).await;
                let mut rooms = hub.rooms();
                let Some(room) = rooms.get_mut(&pep_id) else {
                    return;
                };
                if !std::mem::take(&mut room.read_again) {
                    room.reading = false;
                    return;
                }
            }
        });
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

    /// The hub's background task: answers doorbells and checks every room every two seconds.
    /// Runs until the server stops.
    pub fn start(&self, db: Db) {
        let _ = self.inner.edits.set(EditQueue::start(
            std::sync::Arc::new(self.clone()),
            db.clone(),
        ));
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
                        Ok(Doorbell { pep_id, revision }) => {
                            // A room that heard the change from `written` has nothing to read.
                            if hub.behind(&pep_id, revision) {
                                hub.refresh_soon(&db, &pep_id);
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => hub.check_every_room(&db),
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    _ = check.tick() => hub.check_every_room(&db),
                }
            }
        });
    }

    fn check_every_room(&self, db: &Db) {
        let open: Vec<String> = self.rooms().keys().cloned().collect();
        for pep_id in open {
            self.refresh_soon(db, &pep_id);
        }
    }
}
