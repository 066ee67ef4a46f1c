//! The live channel of a PEP meeting: the messages between a browser and the server, and the
//! rules both ends follow (what a change arriving from someone else does to a value on screen).
//! Plain data, shared by the WASM client and the server.
//!
//! The channel carries presence (who is here, in which field and paragraph), drafts of short
//! values, a free-text field's edits (`EditText`, each with an id, answered by `TextEditAnswered`
//! once stored), and "the PEP is now at revision R: these fields changed, with these edits". It
//! is never the record: an edit is stored before anyone hears of it, and the same edit can go
//! over HTTP (`edit_pep_text`) when the channel is down; other values are saved over HTTP
//! (`save_pep_field`). Nobody holds a field: free text merges (`shared_text`), and other values
//! are versioned.

use super::ids::is_edit_id;
use serde::{Deserialize, Serialize};

use crate::domain::pep::SectionKey;

/// The largest message either side accepts. A field holds at most 10,000 characters (up to
/// 40 KB of UTF-8); the rest is headroom for the envelope.
pub const MAX_MESSAGE_BYTES: usize = 48 * 1024;
/// The client pings this often and the server answers each: a page that hears nothing for
/// [`SILENT_SERVER_MS`] says it is offline (within 5 s of the network going: it looks once a
/// ping), and the server closes a connection that has said nothing for
/// [`SILENT_CONNECTION_SECONDS`] (a phone asleep, a dropped network), looking every
/// [`HEARTBEAT_SECONDS`], so the others see that person leave within 10 s.
pub const PING_EVERY_MS: u64 = 1_000;
pub const SILENT_SERVER_MS: u64 = 3_800;
pub const HEARTBEAT_SECONDS: u64 = 1;
pub const SILENT_CONNECTION_SECONDS: u64 = 8;
/// How long after a keystroke the draft goes out: short enough that the others see it within
/// 300 ms on a fast network, long enough that a burst of keys is one message.
pub const DRAFT_PAUSE_MS: u64 = 80;
/// A presence list names at most this many people, then says how many more (a meeting is a
/// handful; a PEP open on hundreds of screens must not send hundreds of names to each).
pub const PRESENCE_LIMIT: usize = 50;

/// One question of one section of a PEP.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FieldKey {
    pub section: SectionKey,
    pub field: String,
}

impl FieldKey {
    pub fn new(section: SectionKey, field: &str) -> FieldKey {
        FieldKey {
            section,
            field: field.to_string(),
        }
    }

    /// The target's text part this names (section `targets`, `{target id}.{part}`), if it does.
    pub fn target_part(&self) -> Option<(&str, crate::domain::targets::TargetTextPart)> {
        (self.section == SectionKey::Targets)
            .then(|| crate::domain::targets::TargetTextPart::parse_field(&self.field))
            .flatten()
            .filter(|(target_id, _)| is_edit_id(target_id))
    }

    /// The text part of a target's action this names (section `targets`,
    /// `{action id}.{part}`), if it does.
    pub fn action_part(&self) -> Option<(&str, crate::domain::targets::ActionTextPart)> {
        (self.section == SectionKey::Targets)
            .then(|| crate::domain::targets::ActionTextPart::parse_field(&self.field))
            .flatten()
            .filter(|(action_id, _)| is_edit_id(action_id))
    }

    /// Whether this names a shared text: a free-text question of its section, or a text part
    /// of a target or of its action.
    pub fn is_shared_text(&self) -> bool {
        self.target_part().is_some()
            || self.action_part().is_some()
            || crate::domain::pep_form::field(self.section, &self.field)
                .is_some_and(|spec| spec.kind == crate::domain::pep_form::FieldKind::Text)
    }

    /// Whether someone can be in this place of the form: a question of its section, or a text
    /// part of a target or of its action.
    pub fn is_known(&self) -> bool {
        self.target_part().is_some()
            || self.action_part().is_some()
            || crate::domain::pep_form::field(self.section, &self.field).is_some()
    }
}

/// What a browser says on the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The person moved into a field or out of every field.
    Focus { field: Option<FieldKey> },
    /// The person is typing in a free-text field, in this paragraph (1 is the first): where
    /// they are, for the others' presence list. Their words go as `EditText`.
    Typing { field: FieldKey, paragraph: u32 },
    /// An edit of a free-text field (or a target's text part) made against its version `base`:
    /// the same as `edit_pep_text` over HTTP, answered by `TextEditAnswered` with the same id
    /// (a resend, on either path, applies at most once).
    EditText {
        field: FieldKey,
        base: i64,
        op: crate::domain::shared_text::TextOp,
        edit_id: String,
    },
    /// What is in a short field (a count, a date) now, not yet saved.
    Draft { field: FieldKey, value: String },
    /// Still here.
    Ping,
}

/// Someone with the PEP open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Present {
    /// This connection (one person may have the PEP open twice).
    pub connection: u64,
    pub name: String,
    /// "social worker".
    pub role: String,
    /// The field they are in, when the person told may read its section.
    pub field: Option<FieldKey>,
    /// Whether they have typed in it since going in (a tap alone is "in", not "typing").
    #[serde(default)]
    pub typing: bool,
    /// The paragraph of a free-text field they are typing in (1 is the first).
    #[serde(default)]
    pub paragraph: Option<u32>,
}

impl Present {
    /// "Priya Sharma (social worker)".
    pub fn who(&self) -> String {
        format!("{} ({})", self.name, self.role)
    }
}

/// A committed value, as the database holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedField {
    pub field: FieldKey,
    pub value: String,
    pub version: i64,
    /// Who saved it.
    pub by: String,
}

/// A part of the PEP other than its questions' values, which an open page reads again when
/// someone else changes it (the page merges what it reads: nothing typed there is lost).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PepPart {
    TaskList,
    State,
    Targets,
    ActionLog,
    PpPlus,
    Suspensions,
}

impl PepPart {
    /// "the targets", for "Priya Sharma changed the targets."
    pub fn words(self) -> &'static str {
        match self {
            PepPart::TaskList => "the task list",
            PepPart::State => "the PEP's state",
            PepPart::Targets => "the targets",
            PepPart::ActionLog => "the action log",
            PepPart::PpPlus => "Pupil Premium Plus requests",
            PepPart::Suspensions => "suspensions and exclusions",
        }
    }
}

/// A part that changed, and who else changed it (their names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartChange {
    pub part: PepPart,
    pub by: Vec<String>,
    /// The person changed it too, perhaps on another page of theirs: that page is not told
    /// (`by` is empty then), but their other pages read the part again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub yours: bool,
}

impl PartChange {
    /// "Priya Sharma and Michael Osei changed the targets."
    pub fn in_words(&self) -> String {
        let who = match self.by.as_slice() {
            [] => "Someone".to_string(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        };
        format!("{who} changed {}.", self.part.words())
    }
}

/// One edit of a free-text field as the server applied it (see `shared_text`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldTextEdit {
    pub field: FieldKey,
    #[serde(flatten)]
    pub edit: crate::domain::shared_text::TextEditSeen,
    /// Who made it ("Someone" for an account no longer there).
    #[serde(default)]
    pub by: String,
}

/// What the server says on the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The connection is open: which one it is, and the PEP's revision the changes below follow.
    Welcome {
        connection: u64,
        revision: i64,
    },
    /// Everyone here now (including the person told), up to `PRESENCE_LIMIT`, and how many
    /// more.
    Presence {
        people: Vec<Present>,
        #[serde(default)]
        others: usize,
    },
    /// Someone's unsaved words in a field the person told may read.
    Draft {
        connection: u64,
        by: String,
        field: FieldKey,
        value: String,
    },
    /// The PEP is at `revision`; these fields (the ones the person told may read) changed since
    /// the revision they had.
    Changed {
        revision: i64,
        fields: Vec<ChangedField>,
        /// Other parts that someone else changed (targets, the action log, the task list…), and
        /// who: the page reads them again and merges them into what is on screen. The person's
        /// own changes are not listed: their page already shows them.
        elsewhere: Vec<PartChange>,
        /// Something that moves the PEP or decides what blocks it changed (its state, the
        /// meeting, targets, PP+, the task list), by anyone: the page reads its workflow again.
        #[serde(default)]
        recheck_workflow: bool,
        /// The meeting as it is now, when it started, changed or ended since.
        #[serde(default)]
        meeting: Option<crate::domain::meeting::MeetingInfo>,
        /// The edits of free-text fields the person may read since, in the order the server
        /// applied them, so a page merges them into what is being typed or read there. A field
        /// whose edits are all here is not in `fields` (its whole text on every keystroke was
        /// up to 40 KB to every phone). Empty when there were too many to send: the fields are
        /// then in `fields` and the page reads the edits itself (`pep_text_since`).
        #[serde(default)]
        text_edits: Vec<FieldTextEdit>,
    },
    /// The answer to this connection's `EditText` with this id.
    TextEditAnswered {
        edit_id: String,
        answer: EditAnswer,
    },
    /// A message was not accepted (what to change); the connection stays open.
    Refused {
        reason: String,
    },
    Pong,
    /// The server is closing this connection, and why (the session ended; the server restarts).
    Closing {
        reason: String,
        reconnect: bool,
    },
}

/// What became of an edit sent on the channel: what `edit_pep_text` answers over HTTP, its
/// refusals included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EditAnswer {
    /// Stored as this version of the field (or before, when the same edit came again).
    Accepted { version: i64 },
    /// The edits since the base are no longer kept: the text now, to make the edit again against.
    Resync { text: String, version: i64 },
    /// Another writer got there at that moment, or the person's rights are being asked again:
    /// send the same edit again.
    Retry,
    /// Not applied, and sending it again will not help: what to change.
    Refused { reason: String },
    /// The person may no longer change this field (the PEP moved on, a role changed).
    Forbidden,
    /// The session has ended: kept on the page and sent once they sign in again.
    SignedOut,
    /// The server could not store it now: send it again shortly.
    Unavailable,
}

/// What a value saved by someone else does to the same field on this person's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteCommit {
    /// Already here (our own save coming back, or an older one arriving late).
    Ignore,
    /// Nobody is typing in it here: show the new value.
    Apply,
    /// The person is in the field or has unsaved words in it: never overwrite, show
    /// "changed by <name>: review" with both versions to choose from.
    Review,
    /// A save of ours is on its way: its answer (saved or a conflict) decides.
    Wait,
}

/// The rule for a remote commit at `remote_version` reaching a field at `local_version`.
pub fn on_remote_commit(
    local_version: i64,
    remote_version: i64,
    focused: bool,
    unsaved: bool,
    saving: bool,
) -> RemoteCommit {
    if remote_version <= local_version {
        RemoteCommit::Ignore
    } else if saving {
        RemoteCommit::Wait
    } else if focused || unsaved {
        RemoteCommit::Review
    } else {
        RemoteCommit::Apply
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_changed_is_said_with_who() {
        let change = |by: &[&str]| PartChange {
            part: PepPart::Targets,
            by: by.iter().map(|b| b.to_string()).collect(),
            yours: false,
        };
        assert_eq!(change(&[]).in_words(), "Someone changed the targets.");
        assert_eq!(change(&["Ann"]).in_words(), "Ann changed the targets.");
        assert_eq!(
            change(&["Ann", "Bo", "Cy"]).in_words(),
            "Ann, Bo and Cy changed the targets."
        );
        let json = serde_json::to_string(&change(&["Ann"])).unwrap();
        assert_eq!(json, r#"{"part":"targets","by":["Ann"]}"#);
    }

    fn semh() -> FieldKey {
        FieldKey::new(SectionKey::Semh, "needs")
    }

    #[test]
    fn a_remote_commit_never_overwrites_what_the_person_is_in_or_has_not_saved() {
        use RemoteCommit::*;
        assert_eq!(on_remote_commit(3, 3, false, false, false), Ignore);
        assert_eq!(on_remote_commit(4, 3, false, false, false), Ignore);
        assert_eq!(on_remote_commit(3, 4, false, false, false), Apply);
        assert_eq!(on_remote_commit(3, 4, true, false, false), Review);
        assert_eq!(on_remote_commit(3, 4, false, true, false), Review);
        assert_eq!(on_remote_commit(3, 4, true, true, true), Wait);
    }

    #[test]
    fn messages_read_back_as_written() {
        let messages = [
            ClientMessage::Focus {
                field: Some(semh()),
            },
            ClientMessage::Draft {
                field: semh(),
                value: "Asthma: “inhaler” in the office".into(),
            },
            ClientMessage::Typing {
                field: semh(),
                paragraph: 2,
            },
            ClientMessage::Ping,
        ];
        for message in messages {
            let text = serde_json::to_string(&message).unwrap();
            assert_eq!(
                serde_json::from_str::<ClientMessage>(&text).unwrap(),
                message
            );
        }
        let json = r#"{"type":"focus","field":{"section":"semh","field":"needs"}}"#;
        assert_eq!(
            serde_json::from_str::<ClientMessage>(json).unwrap(),
            ClientMessage::Focus {
                field: Some(semh())
            }
        );
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type":"shout"}"#).is_err());
    }

    #[test]
    fn an_edit_reads_in_the_wire_form_pages_and_tools_send_and_its_answer_names_the_outcome() {
        let json = r#"{"type":"edit_text","field":{"section":"semh","field":"needs"},"base":3,"op":[5,"word",-2],"edit_id":"e-1"}"#;
        let ClientMessage::EditText {
            field,
            base,
            op,
            edit_id,
        } = serde_json::from_str::<ClientMessage>(json).unwrap()
        else {
            panic!("not read as an edit");
        };
        assert_eq!((field, base, edit_id.as_str()), (semh(), 3, "e-1"));
        assert_eq!(serde_json::to_string(&op).unwrap(), r#"[5,"word",-2]"#);
        let answer = ServerMessage::TextEditAnswered {
            edit_id: "e-1".into(),
            answer: EditAnswer::Accepted { version: 4 },
        };
        assert_eq!(
            serde_json::to_string(&answer).unwrap(),
            r#"{"type":"text_edit_answered","edit_id":"e-1","answer":{"outcome":"accepted","version":4}}"#
        );
        // An op that is not an edit is not read as one.
        let bad = r#"{"type":"edit_text","field":{"section":"semh","field":"needs"},"base":3,"op":[true],"edit_id":"e-1"}"#;
        assert!(serde_json::from_str::<ClientMessage>(bad).is_err());
    }
}
