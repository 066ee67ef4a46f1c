//! The council's deadline rules, in words, for the Virtual School to read and change: how many
//! days each PEP deadline allows and of which kind, the termly final dates, and the counting
//! conventions. A change applies to PEPs scheduled from then on; a PEP already scheduled keeps
//! its date and the words that explain it. Beside them, the contributions the council asks for
//! before a PEP is marked ready or approved (`domain::workflow::ContributionRule`).

mod deadline_rules_page;

use leptos::prelude::*;

pub use deadline_rules_page::DeadlineRulesPage;

use crate::domain::schedule::DeadlineRulesForm;
use crate::domain::workflow::ContributionRuleForm;
use crate::error::AppError;

#[server(prefix = "/api", endpoint = "council/deadline_rules")]
pub async fn deadline_rules() -> Result<DeadlineRulesForm, AppError> {
    server::deadline_rules()
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[server(prefix = "/api", endpoint = "council/save_deadline_rules")]
pub async fn save_deadline_rules(rules: DeadlineRulesForm) -> Result<(), AppError> {
    server::save_deadline_rules(rules)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Which contributors' sections must be completed before a PEP is marked ready or approved.
#[server(name = CouncilContributionRule, prefix = "/api", endpoint = "council/contribution_rule")]
pub async fn contribution_rule() -> Result<ContributionRuleForm, AppError> {
    server::contribution_rule()
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[server(prefix = "/api", endpoint = "council/save_contribution_rule")]
pub async fn save_contribution_rule(rule: ContributionRuleForm) -> Result<(), AppError> {
    server::save_contribution_rule(rule)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[cfg(feature = "ssr")]
mod server {
    use chrono::Utc;

    use crate::domain::audit::AuditAction;
    use crate::domain::schedule::{DeadlineRulesForm, check_deadline_rules};
    use crate::domain::workflow::{ContributionRuleForm, check_contribution_rule};
    use crate::error::AppError;
    use crate::features::auth::CurrentUser;
    use crate::features::guard::administrator;
    use crate::infra::audit;
    use crate::infra::audit::AuditEvent;
    use crate::infra::db::Db;
    use crate::infra::reference_data::{contribution_rule as stored_rule, deadline_policy};
    use crate::infra::sql::sql;

    pub async fn deadline_rules() -> Result<DeadlineRulesForm, AppError> {
        let admin = administrator().await?;
        Ok(
            deadline_policy(&Db::from_context("deadline rules")?, &admin.council_id)
                .await?
                .to_form(),
        )
    }

    pub async fn save_deadline_rules(form: DeadlineRulesForm) -> Result<(), AppError> {
        let admin = administrator().await?;
        let policy = check_deadline_rules(&form).map_err(AppError::on_fields)?;
        let db = Db::from_context("deadline rules")?;
        let before = deadline_policy(&db, &admin.council_id).await?.to_json();
        let change = PolicyChange {
            key: "deadline_rules",
            action: AuditAction::CouncilDeadlineRulesChanged,
            before,
            after: policy.to_json(),
        };
        store_policy(&db, &admin, change).await
    }

    pub async fn contribution_rule() -> Result<ContributionRuleForm, AppError> {
        let admin = administrator().await?;
        let db = Db::from_context("contributions rule")?;
        Ok(stored_rule(&db, &admin.council_id).await?.to_form())
    }

    pub async fn save_contribution_rule(form: ContributionRuleForm) -> Result<(), AppError> {
        let admin = administrator().await?;
        let rule = check_contribution_rule(&form).map_err(AppError::on_fields)?;
        let db = Db::from_context("contributions rule")?;
        let before = stored_rule(&db, &admin.council_id).await?.to_json();
        let change = PolicyChange {
            key: "contributions",
            action: AuditAction::CouncilContributionRuleChanged,
            before,
            after: rule.to_json(),
        };
        store_policy(&db, &admin, change).await
    }

    /// One of the council's policies replaced, audited with before and after.
    struct PolicyChange {
        key: &'static str,
        action: AuditAction,
        before: serde_json::Value,
        after: serde_json::Value,
    }

    async fn store_policy(
        db: &Db,
        admin: &CurrentUser,
        change: PolicyChange,
    ) -> Result<(), AppError> {
        let now = Utc::now();
        let PolicyChange {
            key,
            action,
            before,
            after,
        } = change;
        {
            let mut tx = db.begin_write().await?;
            sql(
                "INSERT INTO council_policies (council_id, key, value_json, updated_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (council_id, key) DO UPDATE SET value_json = excluded.value_json, \
                 updated_at = excluded.updated_at",
            )
            .bind(&admin.council_id)
            .bind(key)
            .bind(after.to_string())
            .bind(now)
            .execute(&mut tx)
            .await?;
            audit::append(
                &mut tx,
                &AuditEvent {
                    occurred_at: now,
                    actor_id: Some(&admin.id),
                    action,
                    entity: "council",
                    entity_id: Some(&admin.council_id),
                    child_id: None,
                    pep_id: None,
                    detail: serde_json::json!({ "before": before, "after": after }),
                    request_id: None,
                },
            )
            .await?;
            tx.commit().await?;
        };
        Ok(())
    }
}
