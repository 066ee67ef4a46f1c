//! Small accessible components following GOV.UK Design System patterns, in our own styling.

pub mod countdown;
pub mod error_summary;
pub mod in_page_link;
pub mod layout;
pub mod notice;
pub mod password_input;
pub mod raw_text;
pub mod select;
pub mod table;
pub mod text;
pub mod text_area;
pub mod text_input;
