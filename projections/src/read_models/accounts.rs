//! `read.accounts`: who is who, with the company and the services a provider offers.

use crate::event::EventExt;
use async_trait::async_trait;
use domain::account::AccountEvent;
use sqlx::PgConnection;

use super::expect_row;
use crate::ProjectionError;
use crate::event::StoredEvent;
use crate::notify::Change;
use crate::projector::Projection;

/// Accounts and their companies.
pub struct Accounts;

#[async_trait]
impl Projection for Accounts {
    fn name(&self) -> &'static str {
        "accounts"
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        &["Account"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["accounts"]
    }

    /// Every statement is keyed by `account_id`, the aggregate's id.
    fn independent_aggregates(&self) -> bool {
        true
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &StoredEvent,
        _changes: Option<&mut Vec<Change>>,
    ) -> Result<(), ProjectionError> {
        let id = event.aggregate_uuid()?;
        let insert = "INSERT INTO accounts (account_id, role, email, company_name, company_inn, \
                      contact_name, service_types, registered_at, updated_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)";
        match event.decode::<AccountEvent>()? {
            AccountEvent::ClientRegistered {
                email,
                company,
                contact_name,
                at,
                ..
            } => {
                sqlx::query(insert)
                    .bind(id)
                    .bind("client")
                    .bind(email.as_str())
                    .bind(&company.name)
                    .bind(company.inn.as_str())
                    .bind(&contact_name)
                    .bind(Vec::<String>::new())
                    .bind(at)
                    .execute(conn)
                    .await?;
            }
            AccountEvent::ProviderRegistered {
                email,
                company,
                contact_name,
                service_types,
                at,
                ..
            } => {
                let types: Vec<String> = service_types.iter().map(|s| s.to_string()).collect();
                sqlx::query(insert)
                    .bind(id)
                    .bind("provider")
                    .bind(email.as_str())
                    .bind(&company.name)
                    .bind(company.inn.as_str())
                    .bind(&contact_name)
                    .bind(types)
                    .bind(at)
                    .execute(conn)
                    .await?;
            }
            AccountEvent::StaffRegistered {
                role,
                email,
                name,
                at,
                ..
            } => {
                sqlx::query(insert)
                    .bind(id)
                    .bind(role.as_str())
                    .bind(email.as_str())
                    .bind(None::<String>)
                    .bind(None::<String>)
                    .bind(&name)
                    .bind(Vec::<String>::new())
                    .bind(at)
                    .execute(conn)
                    .await?;
            }
            AccountEvent::ProfileChanged {
                contact_name,
                company_name,
                service_types,
                at,
                ..
            } => {
                let types: Option<Vec<String>> =
                    service_types.map(|t| t.iter().map(|s| s.to_string()).collect());
                let r = sqlx::query(
                    "UPDATE accounts SET contact_name = COALESCE($2, contact_name), \
                     company_name = COALESCE($3, company_name), \
                     service_types = COALESCE($4, service_types), updated_at = $5 \
                     WHERE account_id = $1",
                )
                .bind(id)
                .bind(contact_name)
                .bind(company_name)
                .bind(types)
                .bind(at)
                .execute(conn)
                .await?;
                expect_row(r, "account", id)?;
            }
            AccountEvent::LanguageChosen { language, at } => {
                let r = sqlx::query(
                    "UPDATE accounts SET language = $2, updated_at = $3 WHERE account_id = $1",
                )
                .bind(id)
                .bind(language.as_str())
                .bind(at)
                .execute(conn)
                .await?;
                expect_row(r, "account", id)?;
            }
            AccountEvent::AccountBlocked { reason, at, .. } => {
                let r = sqlx::query(
                    "UPDATE accounts SET blocked = true, block_reason = $2, updated_at = $3 \
                     WHERE account_id = $1",
                )
                .bind(id)
                .bind(reason)
                .bind(at)
                .execute(conn)
                .await?;
                expect_row(r, "account", id)?;
            }
            AccountEvent::AccountUnblocked { at, .. } => {
                let r = sqlx::query(
                    "UPDATE accounts SET blocked = false, block_reason = NULL, updated_at = $2 \
                     WHERE account_id = $1",
                )
                .bind(id)
                .bind(at)
                .execute(conn)
                .await?;
                expect_row(r, "account", id)?;
            }
        }
        Ok(())
    }
}
