//! Attune: a self-hosted dashboard that shows how empathetic leadership is through outcomes —
//! turnover, absenteeism, promotions, customer satisfaction and pulse surveys.
//!
//! The crate is layered (see docs/architecture.md): `web` → `report`/`import` → `db` → `cluster`;
//! `scoring` and `period` are pure and depend on nothing of ours.

pub mod accounts;
pub mod cache;
pub mod cli;
pub mod cluster;
pub mod db;
pub mod demo;
pub mod generate;
pub mod import;
pub mod mail;
pub mod period;
pub mod present;
pub mod report;
pub mod scoring;
pub mod summary;
pub mod survey;
pub mod web;

pub use web::{AppState, app};
