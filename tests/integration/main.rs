//! Integration tests: the real router and the real binary against real PostgreSQL.

mod access;
mod admin;
mod auth;
mod cli;
mod cli_accounts;
mod dashboard;
mod embedded;
mod health;
mod import_employees;
mod import_kinds;
mod report_figures;
mod scoring_company;
mod support;
