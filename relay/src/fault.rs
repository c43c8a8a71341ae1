use std::{fmt, sync::Arc};

/// Places in a batch's life where a test can make the relay die.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultPoint {
    /// Every event of the batch is confirmed; the checkpoint is not yet moved.
    /// `batch` counts this run's batches from 1.
    AfterConfirmsBeforeCheckpoint {
        /// The batch's number within this `run`.
        batch: u64,
    },
}

/// Decides, at each [`FaultPoint`], whether the relay "crashes" there: `run`
/// then returns [`crate::RelayError::Crashed`] at once, dropping its
/// connections like a killed process would.
#[derive(Clone)]
pub struct FaultHook(pub Arc<dyn Fn(FaultPoint) -> bool + Send + Sync>);

impl FaultHook {
    /// Wraps a decision function.
    pub fn new(f: impl Fn(FaultPoint) -> bool + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    pub(crate) fn crashes_at(&self, point: FaultPoint) -> bool {
        (self.0)(point)
    }
}

impl fmt::Debug for FaultHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FaultHook(..)")
    }
}
