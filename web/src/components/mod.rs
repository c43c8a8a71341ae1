//! Pieces shared by the screens.

pub mod form;
pub mod layout;
pub mod subscription_table;
