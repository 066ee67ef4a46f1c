//! Shared text: a free-text field that several people edit at once, merged character by character.
//!
//! The model is server-ordered operational transformation, as Rustpad and ot.js do it (choice and
//! costs in docs/architecture.md, "Shared text"): an edit is a [`TextOp`] (retain, insert, delete,
//! counted in Unicode scalar values) made against a revision of the field. The server puts every
//! edit in one order: it transforms an edit made against an older revision past the edits
//! accepted since ([`ServerText::receive`]), stores it, and only then acknowledges it and sends it
//! to the others. Each page keeps at most one edit in flight and buffers what is typed meanwhile
//! ([`ClientText`]), so it transforms remote edits past its own and every screen converges.
//!
//! Plain Rust with no I/O: the browser and the server run the same code, and the property tests
//! below drive any interleaving of clients, delays, duplicates and reconnects through it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One step of an edit over the text it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Component {
    /// Keep the next `n` characters.
    Retain(usize),
    /// Insert this text here.
    Insert(String),
    /// Remove the next `n` characters.
    Delete(usize),
}

/// An edit of a whole text: its components cover every character of the text it applies to
/// (`base_len`) and leave a text of `target_len` characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextOp {
    components: Vec<Component>,
    base_len: usize,
    target_len: usize,
}

/// Why an edit could not be applied, composed or transformed: it does not fit the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpMismatch(pub String);

impl std::fmt::Display for OpMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// The byte offset of character `n` of `text` (its length when `n` is past the end).
fn byte_at(text: &str, n: usize) -> usize {
    text.char_indices().nth(n).map_or(text.len(), |(at, _)| at)
}

impl TextOp {
    pub fn new() -> TextOp {
        TextOp::default()
    }

    pub fn base_len(&self) -> usize {
        self.base_len
    }

    pub fn target_len(&self) -> usize {
        self.target_len
    }

    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// Whether applying it changes nothing.
    pub fn is_noop(&self) -> bool {
        self.components
            .iter()
            .all(|c| matches!(c, Component::Retain(_)))
    }

    pub fn retain(mut self, n: usize) -> TextOp {
        if n == 0 {
            return self;
        }
        self.base_len += n;
        self.target_len += n;
        if let Some(Component::Retain(last)) = self.components.last_mut() {
            *last += n;
        } else {
            self.components.push(Component::Retain(n));
        }
        self
    }

    pub fn insert(mut self, text: &str) -> TextOp {
        if text.is_empty() {
            return self;
        }
        self.target_len += char_len(text);
        // Inserts go before deletes at the same place, so equal edits have one form.
        match self.components.as_mut_slice() {
            [.., Component::Insert(last)] => last.push_str(text),
            [.., Component::Insert(before), Component::Delete(_)] => before.push_str(text),
            [.., Component::Delete(_)] => {
                let at = self.components.len() - 1;
                self.components
                    .insert(at, Component::Insert(text.to_string()));
            }
            _ => self.components.push(Component::Insert(text.to_string())),
        }
        self
    }

    pub fn delete(mut self, n: usize) -> TextOp {
        if n == 0 {
            return self;
        }
        self.base_len += n;
        if let Some(Component::Delete(last)) = self.components.last_mut() {
            *last += n;
        } else {
            self.components.push(Component::Delete(n));
        }
        self
    }

    /// The edit that turns `old` into `new`: one changed stretch between their common start and
    /// end, as a text box reports a keystroke, a paste or an autocorrection.
    pub fn from_change(old: &str, new: &str) -> TextOp {
        let old_chars: Vec<char> = old.chars().collect();
        let new_chars: Vec<char> = new.chars().collect();
        let prefix = old_chars
            .iter()
            .zip(&new_chars)
            .take_while(|(a, b)| a == b)
            .count();
        let suffix = old_chars[prefix..]
            .iter()
            .rev()
            .zip(new_chars[prefix..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let inserted: String = new_chars[prefix..new_chars.len() - suffix].iter().collect();
        TextOp::new()
            .retain(prefix)
            .insert(&inserted)
            .delete(old_chars.len() - suffix - prefix)
            .retain(suffix)
    }

    /// The text after this edit, or why it does not fit `text`.
    pub fn apply(&self, text: &str) -> Result<String, OpMismatch> {
        let len = char_len(text);
        if len != self.base_len {
            return Err(OpMismatch(format!(
                "the edit is for a text of {} characters, this one has {len}",
                self.base_len
            )));
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        for component in &self.components {
            match component {
                Component::Retain(n) => {
                    let at = byte_at(rest, *n);
                    out.push_str(&rest[..at]);
                    rest = &rest[at..];
                }
                Component::Insert(inserted) => out.push_str(inserted),
                Component::Delete(n) => rest = &rest[byte_at(rest, *n)..],
            }
        }
        Ok(out)
    }

    /// One edit doing this one and then `next`.
    pub fn compose(&self, next: &TextOp) -> Result<TextOp, OpMismatch> {
        if self.target_len != next.base_len {
            return Err(OpMismatch(
                "the second edit is not for the text the first leaves".into(),
            ));
        }
        let mut out = TextOp::new();
        let mut a = Pieces::new(&self.components);
        let mut b = Pieces::new(&next.components);
        loop {
            match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(Component::Delete(n)), _) => {
                    out = out.delete(*n);
                    a.advance_whole();
                }
                (_, Some(Component::Insert(text))) => {
                    out = out.insert(&text.clone());
                    b.advance_whole();
                }
                (Some(first), Some(second)) => {
                    let n = first.len().min(second.len());
                    match (a.take(n), b.take(n)) {
                        (Component::Retain(_), Component::Retain(_)) => out = out.retain(n),
                        (Component::Insert(text), Component::Retain(_)) => out = out.insert(&text),
                        (Component::Retain(_), Component::Delete(_)) => out = out.delete(n),
                        // Inserted by the first and removed by the second: nothing remains.
                        (Component::Insert(_), Component::Delete(_)) => {}
                        _ => unreachable!(
                            "deletes of the first and inserts of the second are taken above"
                        ),
                    }
                }
                _ => return Err(OpMismatch("the edits do not line up".into())),
            }
        }
        Ok(out)
    }

    /// `a` and `b` were made against the same text: returns `(a', b')` such that `a` then `b'`
    /// and `b` then `a'` leave the same text. At the same place `a`'s insert goes first: the
    /// server passes the edit it accepted earlier as `a`.
    pub fn transform(a: &TextOp, b: &TextOp) -> Result<(TextOp, TextOp), OpMismatch> {
        if a.base_len != b.base_len {
            return Err(OpMismatch("the edits are for different texts".into()));
        }
        let (mut a_out, mut b_out) = (TextOp::new(), TextOp::new());
        let mut x = Pieces::new(&a.components);
        let mut y = Pieces::new(&b.components);
        loop {
            match (x.peek(), y.peek()) {
                (None, None) => break,
                (Some(Component::Insert(text)), _) => {
                    let n = char_len(text);
                    a_out = a_out.insert(&text.clone());
                    b_out = b_out.retain(n);
                    x.advance_whole();
                }
                (_, Some(Component::Insert(text))) => {
                    let n = char_len(text);
                    a_out = a_out.retain(n);
                    b_out = b_out.insert(&text.clone());
                    y.advance_whole();
                }
                (Some(first), Some(second)) => {
                    let n = first.len().min(second.len());
                    match (x.take(n), y.take(n)) {
                        (Component::Retain(_), Component::Retain(_)) => {
                            a_out = a_out.retain(n);
                            b_out = b_out.retain(n);
                        }
                        // Both removed it: gone once.
                        (Component::Delete(_), Component::Delete(_)) => {}
                        (Component::Delete(_), Component::Retain(_)) => a_out = a_out.delete(n),
                        (Component::Retain(_), Component::Delete(_)) => b_out = b_out.delete(n),
                        _ => unreachable!("inserts are taken above"),
                    }
                }
                _ => return Err(OpMismatch("the edits do not line up".into())),
            }
        }
        Ok((a_out, b_out))
    }

    /// Where a caret at character `index` is after this edit: inserts before it (or at it, when
    /// `own` is false, so someone else typing at the caret pushes it on) move it right, deletes
    /// before it move it left.
    pub fn transform_index(&self, index: usize, own: bool) -> usize {
        let mut new_index = index;
        let mut at = 0;
        for component in &self.components {
            if at > index {
                break;
            }
            match component {
                Component::Retain(n) => at += n,
                Component::Insert(text) => {
                    if at < index || (at == index && !own) {
                        new_index += char_len(text);
                    }
                }
                Component::Delete(n) => {
                    new_index -= (*n).min(index - at.min(index));
                    at += n;
                }
            }
        }
        new_index
    }

    /// Every character this edit inserts, for checking what people may type.
    pub fn inserted(&self) -> impl Iterator<Item = &str> {
        self.components.iter().filter_map(|c| match c {
            Component::Insert(text) => Some(text.as_str()),
            _ => None,
        })
    }
}

impl Component {
    fn len(&self) -> usize {
        match self {
            Component::Retain(n) | Component::Delete(n) => *n,
            Component::Insert(text) => char_len(text),
        }
    }
}

/// Walks an edit's components, taking part of one at a time.
struct Pieces<'a> {
    components: &'a [Component],
    /// The current component, with what is left of it.
    current: Option<Component>,
}

impl<'a> Pieces<'a> {
    fn new(components: &'a [Component]) -> Pieces<'a> {
        let mut pieces = Pieces {
            components,
            current: None,
        };
        pieces.advance_whole();
        pieces
    }

    fn peek(&self) -> Option<&Component> {
        self.current.as_ref()
    }

    fn advance_whole(&mut self) {
        self.current = self.components.first().cloned();
        if !self.components.is_empty() {
            self.components = &self.components[1..];
        }
    }

    /// The next `n` characters of the current component (`n` is at most its length).
    fn take(&mut self, n: usize) -> Component {
        let current = self.current.take().expect("take after peek");
        if n >= current.len() {
            self.advance_whole();
            return current;
        }
        let (taken, left) = match current {
            Component::Retain(len) => (Component::Retain(n), Component::Retain(len - n)),
            Component::Delete(len) => (Component::Delete(n), Component::Delete(len - n)),
            Component::Insert(text) => {
                let at = byte_at(&text, n);
                (
                    Component::Insert(text[..at].to_string()),
                    Component::Insert(text[at..].to_string()),
                )
            }
        };
        self.current = Some(left);
        taken
    }
}

/// On the wire and in the log as ot.js writes it: a positive number retains, a negative one
/// deletes, a string inserts (`[5, "Hello", -3, 12]`).
impl Serialize for TextOp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.components.len()))?;
        for component in &self.components {
            match component {
                Component::Retain(n) => seq.serialize_element(&(*n as i64))?,
                Component::Delete(n) => seq.serialize_element(&-(*n as i64))?,
                Component::Insert(text) => seq.serialize_element(text)?,
            }
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for TextOp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TextOp, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Count(i64),
            Text(String),
        }
        let parts = Vec::<Wire>::deserialize(deserializer)?;
        let mut op = TextOp::new();
        for part in parts {
            op = match part {
                Wire::Count(0) => {
                    return Err(serde::de::Error::custom("an edit step of 0 characters"));
                }
                Wire::Count(n) if n > 0 => op.retain(n as usize),
                Wire::Count(n) => op.delete(n.unsigned_abs() as usize),
                Wire::Text(text) if text.is_empty() => {
                    return Err(serde::de::Error::custom("an empty insert"));
                }
                Wire::Text(text) => op.insert(&text),
            };
        }
        Ok(op)
    }
}

/// A field's text as the server keeps it: the text at `revision`, and the edits accepted since
/// `history_from` (older ones are pruned into the text), so an edit made against any revision
/// from `history_from` on can be transformed into place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerText {
    pub text: String,
    pub revision: u64,
    pub history_from: u64,
    pub history: Vec<TextOp>,
}

/// Why the server did not take an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Made against a revision the server no longer keeps edits from (or one it never had):
    /// the page reads the text afresh and makes its pending words again against it.
    Resync,
    /// The edit does not fit the text it says it was made against.
    Mismatch(OpMismatch),
    /// It would make the text longer than the field allows.
    TooLong { max_chars: usize },
    /// It inserts a character nobody can type (NUL or another control character).
    Unprintable(super::text::TextProblem),
}

impl ServerText {
    pub fn new(text: String, revision: u64) -> ServerText {
        ServerText {
            text,
            revision,
            history_from: revision,
            history: Vec::new(),
        }
    }

    /// Transforms `op`, made against `base`, past every edit accepted since and applies it:
    /// returns the edit as applied (what everyone else receives). `max_chars` bounds the text.
    pub fn receive(&mut self, base: u64, op: &TextOp, max_chars: usize) -> Result<TextOp, Refused> {
        if base < self.history_from || base > self.revision {
            return Err(Refused::Resync);
        }
        for inserted in op.inserted() {
            super::text::check_plain_text(inserted).map_err(Refused::Unprintable)?;
        }
        let mut op = op.clone();
        for earlier in &self.history[(base - self.history_from) as usize..] {
            op = TextOp::transform(earlier, &op)
                .map_err(Refused::Mismatch)?
                .1;
        }
        if op.target_len() > max_chars && op.target_len() > op.base_len() {
            return Err(Refused::TooLong { max_chars });
        }
        self.text = op.apply(&self.text).map_err(Refused::Mismatch)?;
        self.revision += 1;
        self.history.push(op.clone());
        Ok(op)
    }

    /// Forgets edits before `keep_from`: pages whose base is older resync from the text.
    pub fn prune(&mut self, keep_from: u64) {
        let keep_from = keep_from.clamp(self.history_from, self.revision);
        self.history
            .drain(..(keep_from - self.history_from) as usize);
        self.history_from = keep_from;
    }
}

/// A page's side of one shared field: the text on screen, the revision of the server's text it
/// is based on (and that text, without this page's pending words), the edit sent and not yet
/// acknowledged, and what was typed since (sent next).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientText {
    pub text: String,
    pub revision: u64,
    /// The server's text at `revision`: what a resync diffs against, so that neither this
    /// page's pending words nor the others' newer ones are lost.
    server_text: String,
    pub in_flight: Option<TextOp>,
    pub buffer: Option<TextOp>,
}

/// One edit as the server applied it: the field's version it made, and the page's id for it (a
/// page that sees its own id knows its edit landed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextEditSeen {
    pub version: i64,
    pub op: TextOp,
    pub edit_id: String,
}

/// The character (Unicode scalar) index of a browser's caret, which counts UTF-16 code units.
pub fn scalar_index(text: &str, utf16_index: usize) -> usize {
    let mut units = 0;
    for (n, c) in text.chars().enumerate() {
        if units >= utf16_index {
            return n;
        }
        units += c.len_utf16();
    }
    text.chars().count()
}

/// The browser's caret (UTF-16 code units) for character `index` of `text`.
pub fn utf16_index(text: &str, index: usize) -> usize {
    text.chars().take(index).map(char::len_utf16).sum()
}

/// Which paragraph (1 is the first; a blank line separates two) character `index` is in.
pub fn paragraph_at(text: &str, index: usize) -> u32 {
    let before: String = text.chars().take(index).collect();
    1 + before.matches("\n\n").count() as u32
}

/// An edit for the server: made against `base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub base: u64,
    pub op: TextOp,
}

impl ClientText {
    pub fn new(text: String, revision: u64) -> ClientText {
        ClientText {
            server_text: text.clone(),
            text,
            revision,
            in_flight: None,
            buffer: None,
        }
    }

    /// Whether everything typed here has been acknowledged.
    pub fn is_settled(&self) -> bool {
        self.in_flight.is_none() && self.buffer.is_none()
    }

    /// The person changed the text to `new`: returns the edit to send now, if nothing is in
    /// flight (otherwise it waits in the buffer).
    pub fn local_change(&mut self, new: &str) -> Option<Outgoing> {
        let op = TextOp::from_change(&self.text, new);
        if op.is_noop() {
            return None;
        }
        self.local_edit(op)
    }

    pub fn local_edit(&mut self, op: TextOp) -> Option<Outgoing> {
        self.text = op
            .apply(&self.text)
            .expect("a local edit is made on the local text");
        if self.in_flight.is_none() {
            self.in_flight = Some(op.clone());
            return Some(Outgoing {
                base: self.revision,
                op,
            });
        }
        self.buffer = Some(match self.buffer.take() {
            Some(buffer) => buffer
                .compose(&op)
                .expect("the buffer ends at the local text"),
            None => op,
        });
        None
    }

    /// The server accepted the edit in flight as `revision`: returns the buffer to send next.
    pub fn acknowledged(&mut self, revision: u64) -> Option<Outgoing> {
        if let Some(sent) = &self.in_flight {
            self.server_text = sent
                .apply(&self.server_text)
                .expect("the edit in flight was made on the server's text");
        }
        self.revision = revision;
        self.in_flight = self.buffer.take();
        self.in_flight.clone().map(|op| Outgoing {
            base: self.revision,
            op,
        })
    }

    /// Someone else's edit, accepted by the server as `revision`: transformed past what this page
    /// has not had acknowledged, applied here, and returned as applied (to move the caret with).
    pub fn remote(&mut self, op: &TextOp, revision: u64) -> Result<TextOp, OpMismatch> {
        self.server_text = op.apply(&self.server_text)?;
        let mut op = op.clone();
        if let Some(in_flight) = self.in_flight.take() {
            let (theirs, mine) = TextOp::transform(&op, &in_flight)?;
            self.in_flight = Some(mine);
            op = theirs;
        }
        if let Some(buffer) = self.buffer.take() {
            let (theirs, mine) = TextOp::transform(&op, &buffer)?;
            self.buffer = Some(mine);
            op = theirs;
        }
        self.text = op.apply(&self.text)?;
        self.revision = revision;
        Ok(op)
    }

    /// After a reconnect: what this page has not had acknowledged, as one edit against its
    /// revision, to send again (the server applies an edit id at most once).
    pub fn unacknowledged(&self) -> Option<Outgoing> {
        let op = match (&self.in_flight, &self.buffer) {
            (Some(sent), Some(buffer)) => sent.compose(buffer).ok()?,
            (Some(sent), None) => sent.clone(),
            (None, Some(buffer)) => buffer.clone(),
            (None, None) => return None,
        };
        Some(Outgoing {
            base: self.revision,
            op,
        })
    }

    /// The server refused the edit in flight (too long, say): it was not applied, so what this
    /// page has not had acknowledged becomes one edit, to send under a new id once the person
    /// has changed what was refused.
    pub fn retry_pending(&mut self) -> Option<Outgoing> {
        let pending = self.unacknowledged()?;
        self.in_flight = Some(pending.op.clone());
        self.buffer = None;
        Some(pending)
    }

    /// The edit in flight landed, but the edits between it and the server's text now are no
    /// longer kept (`resync` follows): its words are taken as in the server's text, so they
    /// are not sent twice.
    pub fn landed_unseen(&mut self) {
        if let Some(sent) = self.in_flight.take()
            && let Ok(text) = sent.apply(&self.server_text)
        {
            self.server_text = text;
        }
        self.in_flight = self.buffer.take();
    }

    /// The server's text when this page's base was pruned: the others' changes since (one
    /// change, diffed from the server's text this page last had) and this page's pending words
    /// are merged like any two edits, so neither is lost. Returns the edit to send.
    pub fn resync(&mut self, server_text: String, revision: u64) -> Option<Outgoing> {
        let pending = self.unacknowledged().map(|o| o.op);
        let theirs = TextOp::from_change(&self.server_text, &server_text);
        self.text = server_text.clone();
        self.server_text = server_text;
        self.revision = revision;
        self.in_flight = None;
        self.buffer = None;
        let (_, mine) = TextOp::transform(&theirs, &pending?).ok()?;
        if mine.is_noop() {
            return None;
        }
        self.local_edit(mine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_edit_applies_composes_and_reads_back_from_its_wire_form() {
        let op = TextOp::new().retain(3).insert("ü!").delete(2).retain(1);
        assert_eq!(op.apply("abcdef").unwrap(), "abcü!f");
        assert!(op.apply("abc").is_err());
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(json, r#"[3,"ü!",-2,1]"#);
        assert_eq!(serde_json::from_str::<TextOp>(&json).unwrap(), op);
        assert!(serde_json::from_str::<TextOp>("[0]").is_err());
        let then = TextOp::new().delete(1).retain(5);
        let both = op.compose(&then).unwrap();
        assert_eq!(both.apply("abcdef").unwrap(), "bcü!f");
        assert_eq!(
            TextOp::from_change("Jayden reads", "Jayden now reads")
                .apply("Jayden reads")
                .unwrap(),
            "Jayden now reads"
        );
    }

    #[test]
    fn a_browser_caret_in_utf16_units_maps_to_characters_and_back() {
        // "Zoë 👍 ok": the thumbs-up is two UTF-16 units and one character.
        let text = "Zoë 👍 ok";
        assert_eq!(scalar_index(text, 4), 4);
        assert_eq!(scalar_index(text, 6), 5);
        assert_eq!(scalar_index(text, 99), text.chars().count());
        assert_eq!(utf16_index(text, 5), 6);
        for n in 0..=text.chars().count() {
            assert_eq!(scalar_index(text, utf16_index(text, n)), n);
        }
        let paragraphs = "One.\n\nTwo, and\nstill two.\n\nThree.";
        assert_eq!(paragraph_at(paragraphs, 0), 1);
        assert_eq!(paragraph_at(paragraphs, 7), 2);
        assert_eq!(paragraph_at(paragraphs, 20), 2);
        assert_eq!(paragraph_at(paragraphs, paragraphs.chars().count()), 3);
    }

    #[test]
    fn a_refused_edit_goes_again_as_one_with_what_was_typed_since() {
        let mut page = ClientText::new("He likes art.".into(), 4);
        let sent = page.local_change("He likes art\u{7}.").unwrap();
        assert_eq!(sent.base, 4);
        assert!(page.local_change("He likes art\u{7} and maths.").is_none());
        // Refused (a control character): the person takes it out, and it all goes as one.
        page.local_change("He likes art and maths.");
        let again = page.retry_pending().unwrap();
        assert_eq!(
            again.op.apply("He likes art.").unwrap(),
            "He likes art and maths."
        );
        assert_eq!(page.acknowledged(5), None);
        assert!(page.is_settled());
        // An edit that landed unseen (its edits since were pruned) is not sent twice.
        page.local_change("He likes art and maths!");
        page.landed_unseen();
        assert_eq!(page.resync("He likes art and maths! Yes.".into(), 9), None);
        assert_eq!(page.text, "He likes art and maths! Yes.");
    }

    #[test]
    fn two_people_typing_at_one_place_keep_both_words_in_the_servers_order() {
        let base = "He likes .";
        let a = TextOp::from_change(base, "He likes maths.");
        let b = TextOp::from_change(base, "He likes art.");
        let (a2, b2) = TextOp::transform(&a, &b).unwrap();
        let one = b2.apply(&a.apply(base).unwrap()).unwrap();
        let two = a2.apply(&b.apply(base).unwrap()).unwrap();
        assert_eq!(one, two);
        assert_eq!(one, "He likes mathsart.");
    }

    #[test]
    fn a_caret_moves_with_others_typing_before_it_and_stays_before_its_own() {
        let op = TextOp::new().retain(2).insert("xyz").delete(1).retain(3);
        assert_eq!(op.transform_index(0, false), 0);
        assert_eq!(op.transform_index(2, false), 5);
        assert_eq!(op.transform_index(2, true), 2);
        assert_eq!(op.transform_index(4, false), 6);
        assert_eq!(op.transform_index(6, false), 8);
    }

    #[test]
    fn the_server_refuses_control_characters_overlong_text_and_pruned_bases() {
        let mut server = ServerText::new("abc".into(), 10);
        let op = TextOp::new().retain(3).insert("d");
        assert_eq!(server.receive(10, &op, 100).unwrap(), op);
        assert_eq!(server.text, "abcd");
        let nul = TextOp::new().retain(4).insert("\0");
        assert!(matches!(
            server.receive(11, &nul, 100),
            Err(Refused::Unprintable(_))
        ));
        let long = TextOp::new().retain(4).insert("efg");
        assert_eq!(
            server.receive(11, &long, 5),
            Err(Refused::TooLong { max_chars: 5 })
        );
        // A deletion from a text already too long is always allowed.
        assert!(
            server
                .receive(11, &TextOp::new().delete(1).retain(3), 2)
                .is_ok()
        );
        server.prune(12);
        assert_eq!(server.receive(11, &op, 100), Err(Refused::Resync));
        assert_eq!(
            server.receive(13, &TextOp::new().retain(3), 100),
            Err(Refused::Resync)
        );
    }

    #[test]
    fn a_page_whose_base_was_pruned_keeps_its_words_and_the_others() {
        let mut page = ClientText::new("Reads well.".into(), 1);
        let sent = page.local_change("Reads well at home.").unwrap();
        assert_eq!(sent.base, 1);
        // Meanwhile the server moved on and pruned revision 1.
        let again = page.resync("Jayden reads well.".into(), 5).unwrap();
        assert_eq!(again.base, 5);
        // Both: the others' "Jayden r…" and this page's " at home".
        assert_eq!(page.text, "Jayden reads well at home.");
        let mut server = ServerText::new("Jayden reads well.".into(), 5);
        server.receive(again.base, &again.op, 1000).unwrap();
        assert_eq!(server.text, page.text);
    }

    /// One client's edit as the test generates it: a place, how much to remove, what to type.
    #[derive(Debug, Clone)]
    struct Typing {
        client: usize,
        at: usize,
        remove: usize,
        typed: usize,
    }

    /// What happens next in a simulated meeting.
    #[derive(Debug, Clone)]
    enum Step {
        Type(Typing),
        /// The server takes the oldest message a client sent.
        Deliver(usize),
        /// The server sends a client the oldest message it has for it.
        Receive(usize),
        /// The connection drops: messages in both directions are lost; the page later resends
        /// what is unacknowledged (with its id, so the server applies it at most once).
        Reconnect(usize),
    }

    fn step(clients: usize) -> impl Strategy<Value = Step> {
        let typing = (0..clients, 0usize..40, 0usize..4, 0usize..4).prop_map(
            |(client, at, remove, typed)| {
                Step::Type(Typing {
                    client,
                    at,
                    remove,
                    typed,
                })
            },
        );
        prop_oneof![
            4 => typing,
            3 => (0..clients).prop_map(Step::Deliver),
            3 => (0..clients).prop_map(Step::Receive),
            1 => (0..clients).prop_map(Step::Reconnect),
        ]
    }

    /// A message from a page: its edit id, base and edit.
    #[derive(Debug, Clone)]
    struct Sent {
        id: (usize, u64),
        outgoing: Outgoing,
    }

    /// To a page: its own edit (by id) acknowledged, or someone else's.
    #[derive(Debug, Clone)]
    enum Heard {
        Ack((usize, u64), u64),
        Edit(TextOp, u64),
    }

    struct Page {
        text: ClientText,
        next_id: u64,
        /// The id of the edit in flight.
        in_flight_id: Option<(usize, u64)>,
        to_server: std::collections::VecDeque<Sent>,
        from_server: std::collections::VecDeque<Heard>,
        /// Characters this page typed that the server acknowledged (each typed once, so each
        /// is in the end text exactly once when nobody deletes).
        acknowledged: Vec<char>,
    }

    struct Meeting {
        server: ServerText,
        /// Every edit id applied, with the revision it became (at most once).
        applied: std::collections::HashMap<(usize, u64), u64>,
        /// Which page made each revision's edit.
        authors: Vec<usize>,
        pages: Vec<Page>,
        /// Every character typed is new (from U+4E00 on), so each can be found in the end text.
        typed: u32,
        deletes: bool,
    }

    impl Meeting {
        fn new(clients: usize, deletes: bool) -> Meeting {
            let start = "Jayden reads every day.";
            Meeting {
                server: ServerText::new(start.into(), 0),
                applied: Default::default(),
                authors: Vec::new(),
                pages: (0..clients)
                    .map(|_| Page {
                        text: ClientText::new(start.into(), 0),
                        next_id: 0,
                        in_flight_id: None,
                        to_server: Default::default(),
                        from_server: Default::default(),
                        acknowledged: Vec::new(),
                    })
                    .collect(),
                typed: 0,
                deletes,
            }
        }

        fn send(&mut self, client: usize, outgoing: Outgoing) {
            let page = &mut self.pages[client];
            let id = (client, page.next_id);
            page.next_id += 1;
            page.in_flight_id = Some(id);
            page.to_server.push_back(Sent { id, outgoing });
        }

        fn run(&mut self, step: Step) {
            match step {
                Step::Type(t) => {
                    let page = &mut self.pages[t.client];
                    let chars: Vec<char> = page.text.text.chars().collect();
                    let at = t.at.min(chars.len());
                    let remove = if self.deletes { t.remove } else { 0 };
                    let end = (at + remove).min(chars.len());
                    let fresh: Vec<char> = (0..t.typed)
                        .map(|n| char::from_u32(0x4E00 + self.typed + n as u32).unwrap())
                        .collect();
                    self.typed += t.typed as u32;
                    let new: String = chars[..at]
                        .iter()
                        .chain(fresh.iter())
                        .chain(chars[end..].iter())
                        .collect();
                    if let Some(outgoing) = page.text.local_change(&new) {
                        self.send(t.client, outgoing);
                    }
                }
                Step::Deliver(client) => {
                    let Some(sent) = self.pages[client].to_server.pop_front() else {
                        return;
                    };
                    self.accept(sent);
                }
                Step::Receive(client) => {
                    let Some(heard) = self.pages[client].from_server.pop_front() else {
                        return;
                    };
                    self.hear(client, heard);
                }
                Step::Reconnect(client) => self.reconnect(client),
            }
        }

        fn accept(&mut self, sent: Sent) {
            let client = sent.id.0;
            if let Some(&revision) = self.applied.get(&sent.id) {
                // A duplicate: acknowledged again, applied once.
                self.pages[client]
                    .from_server
                    .push_back(Heard::Ack(sent.id, revision));
                return;
            }
            let applied = self
                .server
                .receive(sent.outgoing.base, &sent.outgoing.op, 10_000)
                .expect("the server takes every edit in this simulation");
            let revision = self.server.revision;
            self.applied.insert(sent.id, revision);
            self.authors.push(client);
            for (other, page) in self.pages.iter_mut().enumerate() {
                page.from_server.push_back(if other == client {
                    Heard::Ack(sent.id, revision)
                } else {
                    Heard::Edit(applied.clone(), revision)
                });
            }
        }

        fn hear(&mut self, client: usize, heard: Heard) {
            let page = &mut self.pages[client];
            match heard {
                Heard::Ack(id, revision) => {
                    if page.in_flight_id != Some(id) {
                        return; // a duplicate's acknowledgement, already heard
                    }
                    if let Some(op) = &page.text.in_flight {
                        page.acknowledged.extend(op.inserted().flat_map(str::chars));
                    }
                    page.in_flight_id = None;
                    if let Some(next) = page.text.acknowledged(revision) {
                        self.send(client, next);
                    }
                }
                Heard::Edit(op, revision) => {
                    page.text.remote(&op, revision).expect("remote edits fit");
                }
            }
        }

        /// Lost messages both ways; the page catches up from the server's history since its
        /// revision, learning which of its own edits landed, then resends what did not.
        fn reconnect(&mut self, client: usize) {
            let page = &mut self.pages[client];
            page.to_server.clear();
            page.from_server.clear();
            let page_id = page.in_flight_id;
            let in_flight_landed = page_id.and_then(|id| self.applied.get(&id).copied());
            let from = page.text.revision;
            for revision in from + 1..=self.server.revision {
                let index = (revision - 1 - self.server.history_from) as usize;
                let op = self.server.history[index].clone();
                if Some(revision) == in_flight_landed {
                    let heard = Heard::Ack(page_id.expect("landed"), revision);
                    self.hear(client, heard);
                    // `hear` sent the buffer; drop that message: it is resent below in one piece.
                    self.pages[client].to_server.clear();
                    self.pages[client].in_flight_id = None;
                } else if self.authors[revision as usize - 1] == client {
                    // Acknowledged before the drop, already counted.
                } else {
                    self.pages[client]
                        .text
                        .remote(&op, revision)
                        .expect("history fits");
                }
            }
            let page = &mut self.pages[client];
            page.text.revision = self.server.revision;
            if let Some(again) = page.text.unacknowledged() {
                page.text.in_flight = Some(again.op.clone());
                page.text.buffer = None;
                // The same id when the edit in flight was not applied: at most once either way.
                let id = match page.in_flight_id {
                    Some(id) => id,
                    None => {
                        page.next_id += 1;
                        (client, page.next_id - 1)
                    }
                };
                page.in_flight_id = Some(id);
                page.to_server.push_back(Sent {
                    id,
                    outgoing: again,
                });
            }
        }

        /// Every message delivered until nothing is left.
        fn settle(&mut self) {
            loop {
                let mut moved = false;
                for client in 0..self.pages.len() {
                    if let Some(sent) = self.pages[client].to_server.pop_front() {
                        self.accept(sent);
                        moved = true;
                    }
                    if let Some(heard) = self.pages[client].from_server.pop_front() {
                        self.hear(client, heard);
                        moved = true;
                    }
                }
                if !moved {
                    break;
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any interleaving of 2–6 pages typing, with delays, duplicates and reconnects:
        /// every page ends with the server's text, and nothing anyone typed is lost unless
        /// someone who saw it removed it.
        #[test]
        fn every_page_converges_on_the_servers_text(
            (clients, steps, duplicates, deletes) in (2usize..=6).prop_flat_map(|clients| (
                Just(clients),
                proptest::collection::vec(step(clients), 1..120),
                proptest::collection::vec(any::<bool>(), 20),
                any::<bool>(),
            ))
        ) {
            let mut meeting = Meeting::new(clients, deletes);
            for (n, step) in steps.into_iter().enumerate() {
                // Now and then a page's oldest message arrives twice.
                if let Step::Deliver(client) = step
                    && duplicates[n % 20]
                    && let Some(sent) = meeting.pages[client].to_server.front().cloned()
                {
                    meeting.accept(sent);
                }
                meeting.run(step);
            }
            meeting.settle();
            for page in &meeting.pages {
                prop_assert!(page.text.is_settled());
                prop_assert_eq!(&page.text.text, &meeting.server.text);
                prop_assert_eq!(page.text.revision, meeting.server.revision);
            }
            // Every character acknowledged is in the text exactly once, when nobody deletes;
            // every character typed at all is (it is all acknowledged once the meeting settles).
            if !deletes {
                let acknowledged: Vec<char> =
                    meeting.pages.iter().flat_map(|p| p.acknowledged.clone()).collect();
                prop_assert_eq!(acknowledged.len(), meeting.typed as usize);
                for c in acknowledged {
                    prop_assert_eq!(meeting.server.text.matches(c).count(), 1, "{}", c);
                }
            }
        }

        #[test]
        fn transform_makes_both_orders_meet(
            base in "[a-c😀]{0,12}",
            a_new in "[a-d😀]{0,14}",
            b_new in "[a-d😀]{0,14}",
        ) {
            // Two edits of the same text, each a change to some other text.
            let a = TextOp::from_change(&base, &a_new);
            let b = TextOp::from_change(&base, &b_new);
            let (a2, b2) = TextOp::transform(&a, &b).unwrap();
            let one = b2.apply(&a.apply(&base).unwrap()).unwrap();
            let two = a2.apply(&b.apply(&base).unwrap()).unwrap();
            prop_assert_eq!(one, two);
            let composed = a.compose(&b2).unwrap();
            prop_assert_eq!(composed.apply(&base).unwrap(), b2.apply(&a_new).unwrap());
        }
    }
}
