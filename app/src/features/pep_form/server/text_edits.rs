//! Shared text on the server: an edit of a free-text field, made against a version of it, is
//! transformed past the edits accepted since (`domain::shared_text`), then the field's new text,
//! the edit (`text_edits`), its id (`applied_edits`, so a resend applies at most once) and the
//! PEP's next revision are written in one transaction. Only then is it acknowledged and the live
//! channel rung, so an acknowledged edit survives `kill -9`. The audit log gets one row per
//! person per field per minute (`pep.text_edited`), not one per keystroke; the words are in
//! `text_edits`.
//!
//! A shared text is a free-text question of the PEP (`pep_fields`), a text part of a target
//! (section `targets`, field `{target id}.{part}`: the text in the target's column, its version
//! in `target_text_versions`) or of a target's action (field `{action id}.{part}`: the action's
//! column, `action_text_versions`).

use crate::domain::ids::PepId;
use chrono::{Duration, Utc};

use super::form::mark_section_edited;
use super::reached::reach;
use crate::domain::audit::AuditAction;
use crate::domain::live::{FieldKey, FieldTextEdit};
use crate::domain::pep::SectionKey;
use crate::domain::pep::{PepState, Phase};
use crate::domain::pep_form::{FieldKind, LONGEST_TEXT, field};
use crate::domain::shared_text::{Refused, ServerText, TextEditSeen, TextOp};
use crate::domain::targets::LONGEST_PART;
use crate::error::AppError;
use crate::features::pep_form::{TextEdited, TextSince};
use crate::infra::audit;
use crate::infra::db::Db;
use crate::infra::sql::{On, Tx, sql};

/// Edits kept per field: a page whose base is older reads the text afresh (`TextEdited::Resync`).
pub const EDITS_KEPT: i64 = 1_000;

/// How often (in versions of a field) edits older than the last `EDITS_KEPT` are dropped.
const PRUNE_EVERY: i64 = 50;

/// How long one person's edits of one field share an audit row.
const AUDIT_COALESCE_SECONDS: i64 = 60;

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![(field.to_string(), message.into())])
}

/// Where a shared text's words and version are kept.
#[derive(Debug)]
enum TextHome {
    /// A free-text question: its `pep_fields` row.
    Field,
    /// A text part of a target or of a target's action: a column of its row.
    Row(RowPart),
}

/// The rows whose columns hold shared text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowKind {
    Target,
    Action,
}

impl RowKind {
    fn table(self) -> &'static str {
        match self {
            RowKind::Target => "targets",
            RowKind::Action => "actions",
        }
    }

    /// The table of its parts' versions, and the column naming the row there.
    fn versions(self) -> (&'static str, &'static str) {
        match self {
            RowKind::Target => ("target_text_versions", "target_id"),
            RowKind::Action => ("action_text_versions", "action_id"),
        }
    }

    /// The answer to an edit of a part whose row is not there (removed, or another PEP's).
    fn gone(self) -> AppError {
        match self {
            RowKind::Target => invalid(
                "target",
                "This target has been removed by someone else. Copy what you wrote into a new target.",
            ),
            RowKind::Action => invalid(
                "action",
                "This action has been removed by someone else. Copy what you wrote into a new action.",
            ),
        }
    }
}

/// A text part of a target or an action, as its field key names it.
#[derive(Debug, Clone)]
pub(crate) struct RowPart {
    kind: RowKind,
    pub(crate) row_id: String,
    /// The row's column, from the part's enum (never from the request).
    pub(crate) column: &'static str,
    label: &'static str,
    most_chars: usize,
}

/// The target's or action's text part `key` names, if it names one.
pub(crate) fn row_part(key: &FieldKey) -> Option<RowPart> {
    if let Some((target_id, part)) = key.target_part() {
        return Some(RowPart {
            kind: RowKind::Target,
            row_id: target_id.to_string(),
            column: part.as_str(),
            label: part.label(),
            most_chars: LONGEST_PART,
        });
    }
    key.action_part().map(|(action_id, part)| RowPart {
        kind: RowKind::Action,
        row_id: action_id.to_string(),
        column: part.as_str(),
        label: part.label(),
        most_chars: part.most_chars(),
    })
}

impl RowPart {
    /// Reads the part's text and version: binds the PEP, the row and the part. A part never
    /// written (an override reason, a frequency) is NULL there, and empty text here.
    pub(crate) fn read_sql(&self) -> String {
        let (versions, key) = self.kind.versions();
        format!(
            "SELECT COALESCE(r.{column}, ''), COALESCE(v.version, 0) FROM {table} r \
             LEFT JOIN {versions} v ON v.{key} = r.id AND v.part = $3 \
             WHERE r.id = $2 AND r.pep_id = $1",
            column = self.column,
            table = self.kind.table(),
        )
    }

    /// Moves the part's version to `$3` (from `$4`, unless it is the first): binds the row and
    /// the part too.
    fn bump_sql(&self, first: bool) -> String {
        let (versions, key) = self.kind.versions();
        if first {
            format!(
                "INSERT INTO {versions} ({key}, part, version) VALUES ($1, $2, $3) \
                 ON CONFLICT ({key}, part) DO NOTHING"
            )
        } else {
            format!(
                "UPDATE {versions} SET version = $3 WHERE {key} = $1 AND part = $2 AND version = $4"
            )
        }
    }

    /// Writes the part's text: binds the text, the row and the PEP.
    fn write_sql(&self) -> String {
        format!(
            "UPDATE {} SET {} = $1 WHERE id = $2 AND pep_id = $3",
            self.kind.table(),
            self.column
        )
    }
}

/// A shared text of this PEP, as a request names it.
#[derive(Debug)]
pub(crate) struct SharedTextDoc {
    pub(crate) section: SectionKey,
    home: TextHome,
    /// What people call it, for messages.
    label: &'static str,
    most_chars: usize,
}

/// The free-text question (or target part) `field_key` of `section` on this PEP, or a 422
/// naming what is wrong.
pub(crate) fn text_doc(
    phase: Phase,
    section: &str,
    field_key: &str,
) -> Result<SharedTextDoc, AppError> {
    let unknown = || {
        invalid(
            "section",
            format!("This PEP has no question “{field_key}” in “{section}”"),
        )
    };
    let section_key = SectionKey::parse(section).map_err(|_| unknown())?;
    if !section_key.applies_to(phase) {
        return Err(unknown());
    }
    // The same test the live channel uses for where someone may be typing.
    if let Some(part) = row_part(&FieldKey::new(section_key, field_key)) {
        return Ok(SharedTextDoc {
            section: section_key,
            label: part.label,
            most_chars: part.most_chars,
            home: TextHome::Row(part),
        });
    }
    let spec = field(section_key, field_key).ok_or_else(unknown)?;
    if spec.kind != FieldKind::Text {
        return Err(invalid(
            field_key,
            format!("{} is not free text: save its value instead", spec.label),
        ));
    }
    Ok(SharedTextDoc {
        section: section_key,
        home: TextHome::Field,
        label: spec.label,
        most_chars: LONGEST_TEXT,
    })
}

/// The answer to an edit (or a catch-up) of a part whose row is not there.
fn row_gone(doc: &SharedTextDoc) -> AppError {
    match &doc.home {
        TextHome::Row(part) => part.kind.gone(),
        // A question's row is made by its first edit: it is never gone.
        TextHome::Field => invalid("field", "This question is not on this PEP"),
    }
}

/// The text and version of `doc` now, read in a transaction or on the pool: `None` for a
/// target or action that is not there.
async fn current_text<'c>(
    on: impl Into<On<'c>>,
    doc: &SharedTextDoc,
    pep_id: &str,
    section: &str,
    field_key: &str,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    match &doc.home {
        TextHome::Field => Ok(sql("SELECT value, version FROM pep_fields \
                                   WHERE pep_id = $1 AND section = $2 AND field = $3")
        .bind(pep_id)
        .bind(section)
        .bind(field_key)
        .fetch_optional(on)
        .await?
        .or(Some((String::new(), 0)))),
        TextHome::Row(part) => {
            let read = part.read_sql();
            sql(&read)
                .bind(pep_id)
                .bind(&part.row_id)
                .bind(part.column)
                .fetch_optional(on)
                .await
        }
    }
}

/// The edits of a field after `version`, in order, for a page catching up (after a reconnect,
/// or when the live channel says the field changed); the text itself when they are not kept.
pub async fn pep_text_since(
    pep_id: PepId,
    section: String,
    field_key: String,
    version: i64,
) -> Result<TextSince, AppError> {
    let db = Db::from_context("shared text")?;
    let (reached, relationship) = reach(&db, &pep_id).await?;
    let doc = text_doc(reached.phase, &section, &field_key)?;
    reached.authorize(doc.section, false, relationship)?;
    let (current, since) = {
        let current = current_text(&db, &doc, &pep_id, &section, &field_key).await?;
        let since: Vec<(i64, String, String)> =
            sql("SELECT version, op_json, edit_id FROM text_edits \
             WHERE pep_id = $1 AND section = $2 AND field = $3 AND version > $4 ORDER BY version")
            .bind(&pep_id)
            .bind(&section)
            .bind(&field_key)
            .bind(version)
            .fetch_all(&db)
            .await?;
        (current, since)
    };
    let (text, now_at) = current.ok_or_else(|| row_gone(&doc))?;
    // The field was read first: edits committed since then are for the next catch-up.
    let since: Vec<(i64, String, String)> =
        since.into_iter().filter(|(v, _, _)| *v <= now_at).collect();
    let edits: Option<Vec<TextEditSeen>> = (version <= now_at
        && since.len() as i64 == now_at - version)
        .then(|| {
            since
                .into_iter()
                .map(|(version, json, edit_id)| {
                    Some(TextEditSeen {
                        version,
                        op: serde_json::from_str(&json).ok()?,
                        edit_id,
                    })
                })
                .collect()
        })
        .flatten();
    Ok(match edits {
        Some(edits) => TextSince::Edits { edits },
        None => TextSince::Resync {
            text,
            version: now_at,
        },
    })
}

/// Who is writing a shared text, as its transaction needs them: asked afresh by an HTTP request,
/// or held by a live connection (which asks again on every change of rights or state).
#[derive(Debug, Clone)]
pub(crate) struct TextWriter {
    pub(crate) user_id: String,
    /// Their name, for the others' pages.
    pub(crate) name: String,
    pub(crate) pep_id: String,
    pub(crate) child_id: String,
    /// The PEP's state the writer's rights were asked in: an edit that finds the PEP in another
    /// state is not applied ([`Applied::StateMoved`]), so rights held by a connection can never
    /// write into a PEP that has moved on.
    pub(crate) state: PepState,
}

/// One edit of a shared text, as read from the request and allowed by the caller.
#[derive(Debug)]
pub(crate) struct TextEditRequest {
    pub(crate) writer: TextWriter,
    pub(crate) doc: SharedTextDoc,
    pub(crate) field_key: String,
    pub(crate) base: i64,
    pub(crate) op: TextOp,
    pub(crate) edit_id: String,
}

/// What became of an edit.
#[derive(Debug)]
pub(crate) enum Applied {
    /// Nothing new was stored: the answer (a resend's first answer, a resync, a retry).
    Answer(TextEdited),
    /// Stored as `edit.edit.version` of the field, the PEP now at `revision` (one revision past
    /// the one before: this edit is all of it).
    Stored { revision: i64, edit: FieldTextEdit },
    /// The PEP is no longer in the state the writer's rights were asked in: ask them again.
    StateMoved,
}

impl Applied {
    pub(crate) fn answer(&self) -> TextEdited {
        match self {
            Applied::Answer(answer) => answer.clone(),
            Applied::Stored { edit, .. } => TextEdited::Accepted {
                version: edit.edit.version,
            },
            Applied::StateMoved => TextEdited::Retry,
        }
    }
}

/// Reads an edit's parts as the request sent them, or a 422 naming the one to change.
pub(crate) fn read_edit(edit_id: &str, base: i64, op: &str) -> Result<TextOp, AppError> {
    check_edit(edit_id, base)?;
    serde_json::from_str(op).map_err(|_| {
        invalid(
            "op",
            "The edit is not in the form [retain, \"insert\", -delete, …]",
        )
    })
}

/// The edit's id and base version, as both paths (HTTP and the live channel) check them.
pub(crate) fn check_edit(edit_id: &str, base: i64) -> Result<(), AppError> {
    if !crate::domain::ids::is_edit_id(edit_id) {
        return Err(invalid(
            "edit_id",
            "An edit id is 1 to 64 letters, digits, hyphens or underscores",
        ));
    }
    if base < 0 {
        return Err(invalid("base", "The base version must be 0 or more"));
    }
    Ok(())
}

pub async fn edit_pep_text(
    pep_id: PepId,
    section: String,
    field_key: String,
    base: i64,
    op: String,
    edit_id: String,
) -> Result<TextEdited, AppError> {
    let db = Db::from_context("shared text")?;
    let op = read_edit(&edit_id, base, &op)?;
    let (reached, relationship) = reach(&db, &pep_id).await?;
    let doc = text_doc(reached.phase, &section, &field_key)?;
    reached.authorize(doc.section, true, relationship)?;
    let request = TextEditRequest {
        writer: TextWriter {
            user_id: reached.user.id.clone(),
            name: reached.user.display_name.clone(),
            pep_id: pep_id.to_string(),
            child_id: reached.pep.child_id.clone(),
            state: reached.state,
        },
        doc,
        field_key,
        base,
        op,
        edit_id,
    };
    let applied = apply_text_edit(&db, &request).await?;
    if let Applied::Stored { revision, edit } = &applied {
        crate::infra::live_signal::written(&pep_id, *revision, edit.clone());
    }
    Ok(applied.answer())
}

/// Applies one edit in the caller's write transaction at `now`. Nothing is written unless it
/// is `Applied::Stored` (every refusal is decided before the first write), so a batch can go on
/// past a refused edit; a database error may leave part of it written, and the caller rolls
/// back.
async fn edit_in_tx(
    tx: &mut Tx,
    request: &TextEditRequest,
    now: chrono::DateTime<Utc>,
) -> Result<Applied, AppError> {
    let TextEditRequest {
        writer,
        doc,
        field_key,
        base,
        op,
        edit_id,
    } = request;
    let (pep_id, field_key, edit_id, base) = (
        writer.pep_id.as_str(),
        field_key.as_str(),
        edit_id.as_str(),
        *base,
    );
    let section_key = doc.section;
    let section = section_key.as_str();
    let field_id = format!("{section}.{field_key}");
    let state: Option<String> = sql("SELECT state FROM peps WHERE id = $1")
        .bind(pep_id)
        .fetch_optional_value(&mut *tx)
        .await?;
    if state.as_deref() != Some(writer.state.as_str()) {
        return Ok(Applied::StateMoved);
    }
    // The same edit sent again (its answer was lost): answer as the first time.
    let applied: Option<(i64, String, String)> =
        sql("SELECT version, user_id, pep_id FROM applied_edits WHERE edit_id = $1")
            .bind(edit_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((version, by, on_pep)) = applied {
        if by != writer.user_id || on_pep != pep_id {
            return Err(invalid(
                "edit_id",
                "This edit id belongs to another edit: send a new one",
            ));
        }
        return Ok(Applied::Answer(TextEdited::Accepted { version }));
    }
    let Some((text, version)) = current_text(&mut *tx, doc, pep_id, section, field_key).await?
    else {
        return Err(row_gone(doc));
    };
    if base > version {
        return Err(invalid(
            "base",
            "This field has no such version yet: read it again",
        ));
    }
    // Made against the text as it is (one typist, the usual case): nothing to read.
    let since: Vec<(i64, String)> = if base == version {
        Vec::new()
    } else {
        sql("SELECT version, op_json FROM text_edits \
             WHERE pep_id = $1 AND section = $2 AND field = $3 AND version > $4 ORDER BY version")
        .bind(pep_id)
        .bind(section)
        .bind(field_key)
        .bind(base)
        .fetch_all(&mut *tx)
        .await?
    };
    // Edits committed after the field was read (another statement's snapshot on PostgreSQL)
    // are left out: the UPDATE below, guarded by the version, then asks for a retry. A gap
    // (pruned, or a whole-value save in between) means the page starts again from the text.
    let since: Vec<&(i64, String)> = since.iter().filter(|(v, _)| *v <= version).collect();
    let history: Option<Vec<TextOp>> = (since.len() as i64 == version - base)
        .then(|| {
            since
                .iter()
                .map(|(_, json)| serde_json::from_str(json).ok())
                .collect()
        })
        .flatten();
    let Some(history) = history else {
        return Ok(Applied::Answer(TextEdited::Resync { text, version }));
    };
    let mut server = ServerText {
        text,
        revision: version as u64,
        history_from: base as u64,
        history,
    };
    let applied = match server.receive(base as u64, op, doc.most_chars) {
        Ok(applied) => applied,
        Err(refused) => {
            return match refused {
                Refused::Resync => Ok(Applied::Answer(TextEdited::Resync {
                    text: server.text,
                    version,
                })),
                Refused::Mismatch(_) => Err(invalid(
                    "op",
                    "The edit does not fit the text it was made against: read the field again",
                )),
                Refused::TooLong { max_chars } => Err(invalid(
                    field_key,
                    format!("{} must be {max_chars} characters or fewer", doc.label),
                )),
                Refused::Unprintable(problem) => Err(invalid(field_key, problem.message())),
            };
        }
    };
    let next = version + 1;
    let written = match &doc.home {
        TextHome::Field if version == 0 => sql(
            "INSERT INTO pep_fields (pep_id, section, field, value, version, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (pep_id, section, field) DO NOTHING",
        )
        .bind(pep_id).bind(section).bind(field_key).bind(&server.text).bind(now).bind(&writer.user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        TextHome::Field => sql(
            "UPDATE pep_fields SET value = $4, version = $7, updated_at = $5, updated_by = $6 \
             WHERE pep_id = $1 AND section = $2 AND field = $3 AND version = $8",
        )
        .bind(pep_id).bind(section).bind(field_key).bind(&server.text).bind(now).bind(&writer.user_id)
        .bind(next).bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        TextHome::Row(part) => {
            // The version guards the text, as in pep_fields; the row's own version is
            // for its structured parts and does not move.
            let bump = part.bump_sql(version == 0);
            let mut bumped = sql(&bump).bind(&part.row_id).bind(part.column).bind(next);
            if version > 0 {
                bumped = bumped.bind(version);
            }
            let moved = bumped.execute(&mut *tx).await?.rows_affected();
            if moved == 1 {
                let write = part.write_sql();
                sql(&write)
                    .bind(&server.text).bind(&part.row_id).bind(pep_id)
                    .execute(&mut *tx)
                    .await?;
            }
            moved
        }
    };
    if written == 0 {
        // Another server's transaction got there first (PostgreSQL): the page sends again.
        return Ok(Applied::Answer(TextEdited::Retry));
    }
    mark_section_edited(&mut *tx, pep_id, section_key, now).await?;
    // One audit row per person per field per minute; its revision is the edit's.
    let last_audited: Option<chrono::DateTime<Utc>> = sql(
        "SELECT occurred_at FROM audit_events WHERE pep_id = $1 AND actor_id = $2 \
         AND action = 'pep.text_edited' AND entity_id = $3 ORDER BY revision DESC LIMIT 1",
    )
    .bind(pep_id)
    .bind(&writer.user_id)
    .bind(&field_id)
    .fetch_optional_value(&mut *tx)
    .await?;
    let audit_due =
        last_audited.is_none_or(|at| now - at >= Duration::seconds(AUDIT_COALESCE_SECONDS));
    let revision: i64 = if audit_due {
        let event = crate::infra::audit::AuditEvent {
            occurred_at: now,
            actor_id: Some(&writer.user_id),
            action: AuditAction::PepTextEdited,
            entity: "pep_field",
            entity_id: Some(&field_id),
            child_id: Some(&writer.child_id),
            pep_id: Some(pep_id),
            detail: serde_json::json!({ "section": section, "field": field_key, "from_version": next }),
            request_id: None,
        };
        audit::append(&mut *tx, &event).await?.unwrap_or_default()
    } else {
        sql("UPDATE peps SET revision = revision + 1 WHERE id = $1 RETURNING revision")
            .bind(pep_id)
            .fetch_value(&mut *tx)
            .await?
    };
    sql(
        "INSERT INTO text_edits (pep_id, section, field, version, op_json, author_id, edit_id, pep_revision, applied_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(pep_id).bind(section).bind(field_key).bind(next)
    .bind(serde_json::to_string(&applied).unwrap_or_default())
    .bind(&writer.user_id).bind(edit_id).bind(revision).bind(now)
    .execute(&mut *tx)
    .await?;
    sql(
        "INSERT INTO applied_edits (edit_id, pep_id, user_id, version, applied_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(edit_id).bind(pep_id).bind(&writer.user_id).bind(next).bind(now)
    .execute(&mut *tx)
    .await?;
    // Edits beyond the last EDITS_KEPT are dropped every PRUNE_EVERY versions, not on each.
    if next % PRUNE_EVERY == 0 {
        sql(
            "DELETE FROM text_edits WHERE pep_id = $1 AND section = $2 AND field = $3 AND version <= $4",
        )
        .bind(pep_id).bind(section).bind(field_key).bind(next - EDITS_KEPT)
        .execute(&mut *tx)
        .await?;
    }
    Ok(Applied::Stored {
        revision,
        edit: FieldTextEdit {
            field: FieldKey::new(section_key, field_key),
            edit: TextEditSeen {
                version: next,
                op: applied,
                edit_id: edit_id.to_string(),
            },
            by: writer.name.to_string(),
        },
    })
}

/// One edit in a transaction of its own; the caller tells the live rooms.
pub(crate) async fn apply_text_edit(
    db: &Db,
    request: &TextEditRequest,
) -> Result<Applied, AppError> {
    {
        let mut tx = db.begin_write().await?;
        let applied = edit_in_tx(&mut tx, request, Utc::now()).await;
        match &applied {
            Ok(Applied::Stored { .. }) => tx.commit().await?,
            _ => tx.rollback().await?,
        }
        applied
    }
}

/// Several edits in one transaction (group commit: one turn of the write lock, one commit),
/// each answered as if alone; the caller tells the live rooms in the order given. When the
/// transaction fails (a database error in one edit, a failed commit), nothing of it stands and
/// each edit goes again in a transaction of its own, so one bad edit never refuses the others.
pub(crate) async fn apply_text_edits(
    db: &Db,
    requests: &[TextEditRequest],
) -> Vec<Result<Applied, AppError>> {
    if let [request] = requests {
        return vec![apply_text_edit(db, request).await];
    }
    let together: Result<Vec<Result<Applied, AppError>>, AppError> = {
        async {
            let mut tx = db.begin_write().await?;
            let now = Utc::now();
            let mut answers = Vec::with_capacity(requests.len());
            for request in requests {
                let applied = edit_in_tx(&mut tx, request, now).await;
                if let Err(error @ AppError::Internal { .. }) = applied {
                    tx.rollback().await?;
                    return Err(error);
                }
                answers.push(applied);
            }
            tx.commit().await?;
            Ok(answers)
        }
        .await
    };
    match together {
        Ok(answers) => answers,
        Err(error) => {
            tracing::warn!(%error, edits = requests.len(), "shared text: a group commit failed; each edit goes alone");
            let mut answers = Vec::with_capacity(requests.len());
            for request in requests {
                answers.push(apply_text_edit(db, request).await);
            }
            answers
        }
    }
}
