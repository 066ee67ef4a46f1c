//! Group commit for the shared-text edits that arrive on the live channel: one task takes every
//! edit waiting when it is free and stores them in one transaction (`apply_text_edits`), then
//! tells each room what was written, in order, and answers each connection. Under light typing
//! a batch is one edit and nothing waits; under heavy typing the edits that arrived while one
//! transaction ran share the next, so a keystroke costs its statements but not a turn of the
//! write lock and a commit of its own. Still durable before acknowledged: nobody is answered or
//! told before the commit.
//!
//! The queue is unbounded but cannot grow without bound: a connection reads its next message
//! only once its edit is answered, so at most one edit per open connection waits here.
//!
//! One task per server: SQLite has one writer anyway. On PostgreSQL, where PEPs could be written
//! in parallel, this is a choice to revisit when several servers share one database (issue 20).

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;
use crate::features::pep_form::server::text_edits::{Applied, TextEditRequest, apply_text_edits};
use crate::infra::db::Db;
use crate::infra::live_signal::LiveRooms;

/// The most edits one transaction stores.
const MOST_EDITS_A_COMMIT: usize = 64;

type Answer = oneshot::Sender<Result<Applied, AppError>>;

/// Where the live connections hand their edits; cheap to clone.
#[derive(Clone, Debug)]
pub struct EditQueue {
    edits: mpsc::UnboundedSender<(TextEditRequest, Answer)>,
}

impl EditQueue {
    /// Starts the writer task, which runs while any connection can still send to it; it tells
    /// `rooms` (the hub) what each edit wrote.
    pub fn start(rooms: Arc<dyn LiveRooms>, db: Db) -> EditQueue {
        let (edits, mut waiting) = mpsc::unbounded_channel::<(TextEditRequest, Answer)>();
        tokio::spawn(async move {
            while let Some(first) = waiting.recv().await {
                let mut batch = vec![first];
                while batch.len() < MOST_EDITS_A_COMMIT {
                    match waiting.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (requests, answers): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
                let applied = apply_text_edits(&db, &requests).await;
                for ((request, answer), applied) in requests.iter().zip(answers).zip(applied) {
                    if let Ok(Applied::Stored { revision, edit }) = &applied {
                        rooms.written(&request.writer.pep_id, *revision, edit.clone());
                    }
                    // The connection may have gone meanwhile: its page resends on return.
                    let _ = answer.send(applied);
                }
            }
        });
        EditQueue { edits }
    }

    /// Stores the edit with the others waiting, and answers once it is committed and its room
    /// told.
    pub async fn apply(&self, request: TextEditRequest) -> Result<Applied, AppError> {
        let (answer, answered) = oneshot::channel();
        let stopped = || crate::error::internal("shared text", "the edit writer has stopped");
        self.edits.send((request, answer)).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}
