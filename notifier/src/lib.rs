//! The `notifier` role. Not built yet: see the issues for what it will hold.
