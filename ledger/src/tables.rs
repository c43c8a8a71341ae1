//! Where a ledger lives: `read`'s tables, or a scratch copy a rebuild fills.

use sqlx::PgConnection;

/// The qualified names of one ledger's tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// The schema.
    pub schema: String,
    /// Postings in commit order.
    pub entries: String,
    /// Balance and posting count per account.
    pub accounts: String,
    /// One row: checkpoint, head and totals.
    pub state: String,
    /// Closing documents.
    pub documents: String,
}

impl Tables {
    /// The tables of schema `schema` (an identifier the caller controls).
    pub fn in_schema(schema: &str) -> Self {
        Self {
            schema: schema.to_owned(),
            entries: format!("{schema}.ledger_entries"),
            accounts: format!("{schema}.ledger_accounts"),
            state: format!("{schema}.ledger_state"),
            documents: format!("{schema}.closing_documents"),
        }
    }

    /// The ledger every role reads.
    pub fn live() -> Self {
        Self::in_schema("read")
    }

    /// Creates empty tables shaped like the live ones in a fresh schema.
    pub async fn create_like_live(&self, db: &mut PgConnection) -> Result<(), sqlx::Error> {
        let live = Self::live();
        sqlx::query(&format!("CREATE SCHEMA {}", self.schema))
            .execute(&mut *db)
            .await?;
        for (new, old) in [
            (&self.entries, &live.entries),
            (&self.accounts, &live.accounts),
            (&self.state, &live.state),
            (&self.documents, &live.documents),
        ] {
            sqlx::query(&format!("CREATE TABLE {new} (LIKE {old} INCLUDING ALL)"))
                .execute(&mut *db)
                .await?;
        }
        sqlx::query(&format!("INSERT INTO {} DEFAULT VALUES", self.state))
            .execute(&mut *db)
            .await?;
        Ok(())
    }

    /// Drops a scratch schema and everything in it.
    pub async fn drop_schema(&self, db: &mut PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema))
            .execute(db)
            .await?;
        Ok(())
    }
}
