//! Integration tests: the real router and the real binary against real PostgreSQL.

mod access;
mod admin;
mod auth;
mod browser;
mod checkers;
mod cli;
mod cli_accounts;
mod dashboard;
mod data_settings;
mod demo;
mod embedded;
mod generate;
mod health;
mod help;
mod import_employees;
mod import_kinds;
mod import_web;
mod mail;
mod metric_readings;
mod report_figures;
mod salary_privacy;
mod scoring_company;
mod smtp;
mod summary;
mod support;
mod team_pages;
