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
    /// Whether the person has an authenticator app set up.
    pub second_factor_set_up: bool,
    /// This session still has to pass the second factor: always for professional roles, and for
    /// anyone who chose to set one up. Until then no child's record is reachable.
    pub second_factor_pending: bool,
}
