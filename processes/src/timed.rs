//! Reactions to time: what each scheduled job does when due, and the loop
//! that claims due jobs.

use crate::bank::PayoutStatus;
use crate::error::ProcessError;
use crate::jobs::{Job, Payout};
use crate::managers::{Processes, exec, job_metadata};
use crate::money::{Renewal, period_base};
use chrono::{DateTime, Utc};
use domain::order::{OrderCommand, OrderError};
use domain::subscription::{SubscriptionCommand, SubscriptionError, SubscriptionStatus};
use domain::wallet::{WalletCommand, WalletError};
use domain::{OrderId, SubscriptionId};
use std::sync::Arc;
use store::{CommandError, EventMetadata};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Clock time before a failed job is tried again (doubling per attempt, capped).
const JOB_RETRY_BASE_SECS: i64 = 5;
const JOB_RETRY_MAX_SECS: i64 = 3600;

impl Processes {
    /// Claims the jobs due now and runs them; returns how many ran.
    pub async fn run_due(&self) -> Result<usize, ProcessError> {
        let claimed = self
            .scheduler
            .claim(self.now(), self.settings.batch, self.settings.lease)
            .await?;
        let count = claimed.len();
        for claimed in claimed {
            let outcome = match &claimed.job {
                Ok(job) => self.run_job(claimed.id, job).await,
                Err(raw) => Err(ProcessError::Malformed(format!("job payload {raw}"))),
            };
            match outcome {
                Ok(()) => self.scheduler.done(claimed.id).await?,
                Err(error) => {
                    let wait = (JOB_RETRY_BASE_SECS
                        << claimed.attempts.clamp(1, 20).saturating_sub(1))
                    .min(JOB_RETRY_MAX_SECS);
                    let retry_at = self.now() + chrono::Duration::seconds(wait);
                    tracing::warn!(job = %claimed.id, attempts = claimed.attempts, %error, %retry_at, "job failed; rescheduled");
                    self.scheduler
                        .failed(claimed.id, &error.to_string(), retry_at)
                        .await?;
                }
            }
        }
        Ok(count)
    }

    /// Runs due jobs every poll interval until `shutdown`.
    pub async fn run_scheduler(self: Arc<Self>, shutdown: CancellationToken) {
        loop {
            let ran = match self.run_due().await {
                Ok(n) => n,
                Err(error) => {
                    tracing::warn!(%error, "scheduler could not claim jobs; retrying");
                    0
                }
            };
            // A full batch means more may be due: go again at once.
            if ran < self.settings.batch as usize {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(self.settings.poll_interval) => {}
                }
            } else if shutdown.is_cancelled() {
                return;
            }
        }
    }

    /// Does what `job` stands for. `Ok` means done for good (including "no
    /// longer needed"); `Err` means try again later.
    #[tracing::instrument(skip(self, job), fields(kind = job.kind()))]
    pub async fn run_job(&self, job_id: Uuid, job: &Job) -> Result<(), ProcessError> {
        let metadata = job_metadata(job_id, self.now());
        match job {
            Job::AcceptanceDeadline {
                subscription_id, ..
            } => self.deadline(*subscription_id, &metadata).await,
            Job::PeriodEnd {
                subscription_id,
                period_end,
            } => {
                self.period_end(*subscription_id, *period_end, &metadata)
                    .await
            }
            Job::RenewalRetry {
                subscription_id,
                period_end,
                attempt,
            } => {
                self.renewal_retry(*subscription_id, *period_end, *attempt, &metadata)
                    .await
            }
            Job::AutoConfirm { order_id } => self.auto_confirm(*order_id, &metadata).await,
            Job::PayoutCheck { payout } => self.payout_check(payout, &metadata).await,
            Job::TopUpExpiry { owner, transfer_id } => {
                self.expire_top_up(*owner, *transfer_id, &metadata).await
            }
        }
    }

    /// The payer never paid: the top-up fails (a no-op once it settled or
    /// failed). A callback the gateway sends later is refused with 409.
    async fn expire_top_up(
        &self,
        owner: domain::AccountId,
        transfer_id: domain::TransferId,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let command = WalletCommand::FailTopUp {
            transfer_id,
            reason: "the payment was not completed in time".to_owned(),
        };
        match exec(&self.wallets, &owner.to_string(), command, metadata).await {
            Ok(()) | Err(CommandError::Rule(WalletError::TransferNotPending { .. })) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Nobody accepted in time: the request falls overdue (a no-op unless
    /// still requested) and the notifier tells the client and the admins.
    /// The job of a deadline the client moved later finds it not yet due:
    /// the new deadline's own job is the one that counts.
    async fn deadline(
        &self,
        subscription_id: SubscriptionId,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let command = SubscriptionCommand::MarkDeadlinePassed {
            at: metadata.occurred_at,
        };
        match exec(
            &self.subscriptions,
            &subscription_id.to_string(),
            command,
            metadata,
        )
        .await
        {
            Ok(()) | Err(CommandError::Rule(SubscriptionError::DeadlineNotDue)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn period_end(
        &self,
        subscription_id: SubscriptionId,
        period_end: DateTime<Utc>,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let sub = self.subscription(subscription_id).await?;
        if !matches!(
            sub.status(),
            Some(SubscriptionStatus::Active | SubscriptionStatus::PastDue)
        ) {
            return Ok(());
        }
        if let Some(current) = sub.period_end().filter(|end| *end > period_end) {
            // Renewed already (a rerun after a crash): make sure the next
            // period's end is scheduled, nothing more.
            return self.schedule_period_end(subscription_id, current).await;
        }
        self.release(
            subscription_id,
            period_base(subscription_id, period_end),
            metadata,
        )
        .await?;
        if sub.cancel_at_period_end() {
            return self.end(subscription_id, metadata).await;
        }
        self.charge(subscription_id, period_end, 0, metadata).await
    }

    async fn renewal_retry(
        &self,
        subscription_id: SubscriptionId,
        period_end: DateTime<Utc>,
        attempt: u32,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let sub = self.subscription(subscription_id).await?;
        if sub.status() != Some(SubscriptionStatus::PastDue) || sub.period_end() != Some(period_end)
        {
            return Ok(());
        }
        if sub.cancel_at_period_end() {
            return self.end(subscription_id, metadata).await;
        }
        self.charge(subscription_id, period_end, attempt, metadata)
            .await
    }

    /// One attempt at paying the next period; short funds make the
    /// subscription past due, schedule the next retry, or suspend it once
    /// the retries ran out.
    async fn charge(
        &self,
        subscription_id: SubscriptionId,
        period_end: DateTime<Utc>,
        attempt: u32,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let id = subscription_id.to_string();
        match self.renew(subscription_id, period_end, metadata).await? {
            Renewal::NotRenewable => Ok(()),
            Renewal::Renewed => {
                let sub = self.subscription(subscription_id).await?;
                match sub.period_end() {
                    Some(next) => self.schedule_period_end(subscription_id, next).await,
                    None => Ok(()),
                }
            }
            Renewal::ShortFunds => {
                let past_due = SubscriptionCommand::MarkPastDue {
                    at: metadata.occurred_at,
                };
                exec(&self.subscriptions, &id, past_due, metadata).await?;
                if attempt >= self.settings.retry_count {
                    let suspend = SubscriptionCommand::Suspend {
                        at: metadata.occurred_at,
                    };
                    exec(&self.subscriptions, &id, suspend, metadata).await?;
                    return Ok(());
                }
                let interval = chrono::Duration::from_std(self.settings.retry_interval)
                    .unwrap_or(chrono::Duration::MAX);
                let retry = crate::jobs::Job::RenewalRetry {
                    subscription_id,
                    period_end,
                    attempt: attempt + 1,
                };
                self.scheduler
                    .schedule(&retry, metadata.occurred_at + interval)
                    .await?;
                Ok(())
            }
        }
    }

    /// A cancellation scheduled for the period's end takes effect.
    async fn end(
        &self,
        subscription_id: SubscriptionId,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let complete = SubscriptionCommand::Complete {
            at: metadata.occurred_at,
        };
        match exec(
            &self.subscriptions,
            &subscription_id.to_string(),
            complete,
            metadata,
        )
        .await
        {
            Ok(()) => Ok(()),
            Err(CommandError::Rule(SubscriptionError::WrongStatus { .. })) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn auto_confirm(
        &self,
        order_id: OrderId,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let command = OrderCommand::AutoConfirm {
            at: metadata.occurred_at,
        };
        match exec(&self.orders, &order_id.to_string(), command, metadata).await {
            Ok(()) => Ok(()),
            // A complaint froze it: the admin's resolution decides instead.
            Err(CommandError::Rule(OrderError::Frozen | OrderError::NotMarkedDoneByProvider)) => {
                tracing::info!(%order_id, "auto-confirm skipped: order frozen or not done");
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn payout_check(
        &self,
        payout: &Payout,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let wallet = payout.owner.to_string();
        let transfer_id = payout.transfer_id;
        let command = match self
            .bank
            .status(payout)
            .await
            .map_err(|e| ProcessError::Bank(e.to_string()))?
        {
            PayoutStatus::Pending => {
                return Err(ProcessError::Bank("payout not decided yet".into()));
            }
            PayoutStatus::Settled => {
                // Sent first: a crash may have cut the reaction short.
                match exec(
                    &self.wallets,
                    &wallet,
                    WalletCommand::MarkWithdrawalSent { transfer_id },
                    metadata,
                )
                .await
                {
                    Ok(()) | Err(CommandError::Rule(WalletError::TransferNotPending { .. })) => {}
                    Err(e) => return Err(e.into()),
                }
                WalletCommand::SettleWithdrawal { transfer_id }
            }
            PayoutStatus::Failed(reason) => WalletCommand::FailWithdrawal {
                transfer_id,
                reason,
            },
        };
        exec(&self.wallets, &wallet, command, metadata)
            .await
            .map_err(ProcessError::from)
    }
}
