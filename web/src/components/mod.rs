//! Pieces shared by the screens.

pub mod bell;
pub mod form;
pub mod layout;
pub mod subscription_table;
