//! HR's administration pages: user accounts, API tokens, imports, the data page, the audit log
//! and the settings. Every handler checks the role itself (`CurrentUser::require`), on top of
//! the sign-in the extractor enforces.

pub mod audit;
pub mod data;
pub mod email;
pub mod imports;
pub mod settings;
pub mod surveys;
pub mod tokens;
pub mod users;
