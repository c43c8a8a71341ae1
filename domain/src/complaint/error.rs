//! Why a complaint refused a command.

use crate::RuleViolation;

/// A rule of the [`Complaint`](super::Complaint) aggregate that a command broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    /// The command needs an existing complaint.
    #[error("complaint not found")]
    NotFound,
    /// `File` on a complaint that exists.
    #[error("complaint already exists")]
    AlreadyExists,
    /// Only the order's client or provider may complain.
    #[error("only the order's client or provider may file a complaint")]
    NotOrderParty,
    /// Reason shorter than 10 or longer than 4000 characters.
    #[error("reason must be 10 to 4000 characters")]
    InvalidReason,
    /// Reviewing, noting and resolving are for admins.
    #[error("only an admin may do this")]
    AdminOnly,
    /// `TakeIntoReview` on a complaint already in review.
    #[error("complaint is already in review")]
    AlreadyInReview,
    /// The complaint was resolved; its outcome is final.
    #[error("complaint is resolved")]
    Resolved,
    /// The complaint was withdrawn.
    #[error("complaint is withdrawn")]
    Withdrawn,
    /// Note text empty or longer than 4000 characters.
    #[error("note must be 1 to 4000 characters")]
    InvalidNote,
    /// The split and the escrow are in different currencies.
    #[error("currencies of the split and the escrow differ")]
    CurrencyMismatch,
    /// The split gives away more than the escrow holds.
    #[error("the split exceeds the escrow available")]
    SplitExceedsEscrow,
    /// Only the one who filed may withdraw.
    #[error("only the one who filed the complaint may withdraw it")]
    NotFiler,
}

impl RuleViolation for ComplaintError {
    fn rule(&self) -> &'static str {
        match self {
            ComplaintError::NotFound => "complaint_not_found",
            ComplaintError::AlreadyExists => "complaint_already_exists",
            ComplaintError::NotOrderParty => "not_order_party",
            ComplaintError::InvalidReason => "invalid_reason",
            ComplaintError::AdminOnly => "admin_only",
            ComplaintError::AlreadyInReview => "complaint_already_in_review",
            ComplaintError::Resolved => "complaint_resolved",
            ComplaintError::Withdrawn => "complaint_withdrawn",
            ComplaintError::InvalidNote => "invalid_note",
            ComplaintError::CurrencyMismatch => "currency_mismatch",
            ComplaintError::SplitExceedsEscrow => "split_exceeds_escrow",
            ComplaintError::NotFiler => "not_complaint_filer",
        }
    }
}
