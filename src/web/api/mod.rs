//! The JSON API under `/api/`: the metrics, imports, and the OpenAPI document that describes
//! them. Errors are JSON too (`web::api_errors_as_json`).

pub mod imports;
pub mod metrics;
pub mod openapi;
