//! Integration tests: the real router and the real binary against real PostgreSQL.

mod cli;
mod dashboard;
mod embedded;
mod health;
mod import_employees;
mod report_figures;
mod support;
