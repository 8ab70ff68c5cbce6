//! HR's administration pages: user accounts and their own API tokens. Every handler checks the
//! role itself (`CurrentUser::require`), on top of the sign-in the extractor enforces.

pub mod tokens;
pub mod users;
