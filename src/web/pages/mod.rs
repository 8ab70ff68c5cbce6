//! The pages people read: the dashboard, a team and its people, the organization's heatmap,
//! the executive summary, the help pages, and signing in.

pub mod dashboard;
pub mod help;
pub mod login;
pub mod notifications;
pub mod organization;
pub mod participation;
pub mod respond;
pub mod summary;
pub mod team;
