//! What changed in a PEP after a revision, read from the audit log (which is the PEP's event
//! log) and the fields as they stand now: the catch-up a reconnecting browser needs, and what a
//! room sends when its doorbell rings.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::audit::AuditAction;
use crate::domain::live::{ChangedField, FieldKey, FieldTextEdit, PartChange, PepPart};
use crate::domain::meeting::MeetingInfo;
use crate::domain::pep::SectionKey;
use crate::domain::shared_text::TextEditSeen;
use crate::infra::db::Db;
use crate::infra::sql::sql;

/// The PEP at `revision`: its fields changed since the revision asked about, with their values
/// now, and the other parts that changed, in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub revision: i64,
    pub fields: Vec<ChangedField>,
    /// Each other part changed, in words, with who changed it (user ids).
    pub elsewhere: Vec<PartChanged>,
    /// Whether anything but a field's words changed (see `ServerMessage::Changed`).
    pub recheck_workflow: bool,
    /// The meeting now, when it started, changed or ended in these changes.
    pub meeting: Option<MeetingInfo>,
    /// The free-text edits among them, in the order applied (empty when there were more than
    /// [`TEXT_EDITS_SENT`]: pages read them from `pep_text_since`).
    pub text_edits: Vec<FieldTextEdit>,
}

/// The most free-text edits one change message carries (a page back from minutes offline reads
/// the rest itself, field by field).
pub const TEXT_EDITS_SENT: usize = 200;

/// A part of the PEP other than its fields, changed by these people (user id → name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartChanged {
    pub part: PepPart,
    pub by: BTreeMap<String, String>,
}

impl Changes {
    /// The changes of one revision that was one shared-text edit and nothing else.
    pub fn of_text_edit(revision: i64, edit: FieldTextEdit) -> Changes {
        Changes {
            revision,
            text_edits: vec![edit],
            ..Changes::default()
        }
    }

    /// The parts that changed, as `user_id` is told: the names of the others who changed each,
    /// and whether they did too (so their other pages read it again).
    pub fn changed_for(&self, user_id: &str) -> Vec<PartChange> {
        self.elsewhere
            .iter()
            .map(|changed| PartChange {
                part: changed.part,
                by: changed
                    .by
                    .iter()
                    .filter(|(id, _)| *id != user_id)
                    .map(|(_, name)| name.clone())
                    .collect(),
                yours: changed.by.iter().any(|(id, _)| *id == user_id),
            })
            .collect()
    }
}

/// Everything after `since`; `None` when nothing changed.
pub async fn changes_since(
    db: &Db,
    pep_id: &str,
    since: i64,
) -> Result<Option<Changes>, sqlx::Error> {
    type Event = (String, Option<String>, i64, Option<String>, Option<String>);
    let events: Vec<Event> = {
        sql(
            "SELECT a.action, a.entity_id, a.revision, a.actor_id, u.display_name \
             FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id \
             WHERE a.pep_id = $1 AND a.revision > $2 ORDER BY a.revision",
        )
        .bind(pep_id)
        .bind(since)
        .fetch_all(db)
        .await?
    };
    // Shared-text edits take revisions of their own, mostly without an audit row. At most one
    // message's worth is read with its words (a page back after hours must not read thousands).
    type Edit = (String, String, i64, i64, String, String, Option<String>);
    let text_edits: Vec<Edit> = {
        sql(
            "SELECT t.section, t.field, t.pep_revision, t.version, t.op_json, t.edit_id, \
             u.display_name FROM text_edits t LEFT JOIN users u ON u.id = t.author_id \
             WHERE t.pep_id = $1 AND t.pep_revision > $2 ORDER BY t.pep_revision LIMIT $3",
        )
        .bind(pep_id)
        .bind(since)
        .bind(TEXT_EDITS_SENT as i64 + 1)
        .fetch_all(db)
        .await?
    };
    let too_many = text_edits.len() > TEXT_EDITS_SENT;
    // Which fields the edits touched, and their newest revision.
    let touched: Vec<(String, String, i64)> = if too_many {
        {
            sql("SELECT section, field, MAX(pep_revision) FROM text_edits \
                 WHERE pep_id = $1 AND pep_revision > $2 GROUP BY section, field")
            .bind(pep_id)
            .bind(since)
            .fetch_all(db)
            .await?
        }
    } else {
        text_edits
            .iter()
            .map(|(section, field, revision, ..)| (section.clone(), field.clone(), *revision))
            .collect()
    };
    let newest = events
        .iter()
        .map(|(_, _, r, _, _)| *r)
        .chain(touched.iter().map(|(_, _, r)| *r))
        .max();
    let Some(revision) = newest else {
        return Ok(None);
    };
    let touched_ids: BTreeSet<String> = touched
        .iter()
        .map(|(section, field, _)| format!("{section}.{field}"))
        .collect();
    // A field whose edits all go in this message is merged from them, not sent whole.
    let mut field_ids: BTreeSet<String> = if too_many {
        touched_ids.clone()
    } else {
        BTreeSet::new()
    };
    let edits_sent: Vec<FieldTextEdit> = if too_many {
        Vec::new()
    } else {
        text_edits
            .iter()
            .filter_map(|(section, field, _, version, json, edit_id, by)| {
                Some(FieldTextEdit {
                    by: by.clone().unwrap_or_else(|| "Someone".into()),
                    field: FieldKey {
                        section: SectionKey::parse(section).ok()?,
                        field: field.clone(),
                    },
                    edit: TextEditSeen {
                        version: *version,
                        op: serde_json::from_str(json).ok()?,
                        edit_id: edit_id.clone(),
                    },
                })
            })
            .collect()
    };
    let mut elsewhere: Vec<PartChanged> = Vec::new();
    let mut meeting_changed = false;
    let mut recheck_workflow = false;
    for (action, entity_id, _, actor, name) in &events {
        // A code this version does not know (written by a newer one) changes no part it knows.
        let Ok(action) = AuditAction::parse(action) else {
            recheck_workflow = true;
            continue;
        };
        if action == AuditAction::PepFieldSaved {
            field_ids.extend(entity_id.clone());
            continue;
        }
        if action == AuditAction::PepTextEdited {
            // Edited but none of its edits here (pruned, or too many): sent whole.
            field_ids.extend(entity_id.clone().filter(|id| !touched_ids.contains(id)));
            continue;
        }
        recheck_workflow = true;
        if action.is_meeting() {
            meeting_changed = true;
        } else if let Some(part) = action.pep_part() {
            let at = match elsewhere.iter().position(|p| p.part == part) {
                Some(at) => at,
                None => {
                    elsewhere.push(PartChanged {
                        part,
                        by: BTreeMap::new(),
                    });
                    elsewhere.len() - 1
                }
            };
            // Someone no longer on record (a removed account) is someone else.
            elsewhere[at].by.insert(
                actor.clone().unwrap_or_else(|| "someone".into()),
                name.clone().unwrap_or_else(|| "Someone".into()),
            );
        }
    }
    let mut fields = if field_ids.is_empty() {
        Vec::new()
    } else {
        let rows: Vec<(String, String, String, i64, Option<String>)> = {
            sql(
                "SELECT f.section, f.field, f.value, f.version, u.display_name FROM pep_fields f \
                 LEFT JOIN users u ON u.id = f.updated_by WHERE f.pep_id = $1",
            )
            .bind(pep_id)
            .fetch_all(db)
            .await?
        };
        rows.into_iter()
            .filter(|(section, field, ..)| field_ids.contains(&format!("{section}.{field}")))
            .filter_map(|(section, field, value, version, by)| {
                Some(ChangedField {
                    field: FieldKey {
                        section: SectionKey::parse(&section).ok()?,
                        field,
                    },
                    value,
                    version,
                    by: by.unwrap_or_else(|| "Someone".into()),
                })
            })
            .collect()
    };
    // Targets' and actions' text parts live in their rows, not in pep_fields.
    for id in &field_ids {
        let Some(key) = id
            .strip_prefix("targets.")
            .map(|field| FieldKey::new(SectionKey::Targets, field))
        else {
            continue;
        };
        let Some(part) = crate::features::pep_form::server::text_edits::row_part(&key) else {
            continue;
        };
        let read = part.read_sql();
        let row: Option<(String, i64)> = {
            sql(&read)
                .bind(pep_id)
                .bind(&part.row_id)
                .bind(part.column)
                .fetch_optional(db)
                .await?
        };
        if let Some((value, version)) = row {
            fields.push(ChangedField {
                field: key,
                value,
                version,
                by: "Someone".into(),
            });
        }
    }
    let meeting = if meeting_changed {
        // A meeting that cannot be read now is sent at the next change.
        crate::features::pep_form::server::meeting::meeting_of(db, pep_id)
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    Ok(Some(Changes {
        revision,
        fields,
        elsewhere,
        recheck_workflow,
        meeting,
        text_edits: edits_sent,
    }))
}

/// The PEP's revision now (0 for a PEP that is not there).
pub async fn revision_of(db: &Db, pep_id: &str) -> Result<i64, sqlx::Error> {
    let revision: Option<i64> = {
        sql("SELECT revision FROM peps WHERE id = $1")
            .bind(pep_id)
            .fetch_optional_value(db)
            .await?
    };
    Ok(revision.unwrap_or(0))
}
