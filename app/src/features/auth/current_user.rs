//! Who is signed in, as the pages and server functions see it.

use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub display_name: String,
    pub role: Role,
    pub council_id: String,
    /// A designated teacher's school.
    pub school_id: Option<String>,
    /// Professional roles must pass the second factor before they reach any child's record.
    pub second_factor_pending: bool,
}
