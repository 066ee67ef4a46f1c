//! Small text helpers shared by pages and server answers.

/// "School age" from "school age": labels start lower case to sit inside sentences.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
