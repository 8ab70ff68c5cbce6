//! `GET /api/openapi.json`: the OpenAPI description of the JSON API. The schemas are generated
//! from the Rust types the API serializes (`report::Report`, `web::api::imports::ApiResult`), so the
//! description cannot drift from the answers.

use axum::Json;
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use crate::report::Report;
use crate::scoring::Metric;
use crate::web::AppError;
use crate::web::api::imports::ApiResult;
use crate::web::auth::CurrentUser;

/// The OpenAPI 3.0 document.
pub fn document() -> Value {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let report = generator.subschema_for::<Report>();
    let import = generator.subschema_for::<ApiResult>();
    let schemas = generator.take_definitions(true);
    let error = json!({
        "description": "An error, explained",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    });
    let mut components = serde_json::Map::from_iter(schemas);
    // Salary-based figures are null for managers (see `web::redact`).
    for key in Metric::salary_based().map(Metric::key) {
        if let Some(property) = components
            .get_mut("Intermediate")
            .and_then(|schema| schema.pointer_mut(&format!("/properties/{key}")))
            .and_then(Value::as_object_mut)
        {
            property.insert("nullable".into(), Value::Bool(true));
        }
    }
    components.insert(
        "Error".into(),
        json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}),
    );
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Attune API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Metrics of empathetic leadership (definitions: docs/metrics.md) and data imports. \
                            Authenticate with a personal API token: Authorization: Bearer <token>."
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/metrics": {
                "get": {
                    "summary": "Every metric of a period, for the organization and the teams the caller may see",
                    "operationId": "getMetrics",
                    "parameters": [
                        {"name": "period", "in": "query", "required": false,
                         "schema": {"$ref": "#/components/schemas/Period"},
                         "description": "2025, 2025-Q1 or 2025-03; by default the latest complete quarter"},
                        {"name": "team", "in": "query", "required": false, "schema": {"type": "string"},
                         "description": "Only this team (case-insensitive); the organization stays"}
                    ],
                    "responses": {
                        "200": {"description": "The report", "content": {"application/json": {"schema": report}}},
                        "400": error.clone(),
                        "401": error.clone(),
                        "404": error.clone()
                    }
                }
            },
            "/api/v1/imports/{kind}": {
                "post": {
                    "summary": "Import a CSV file (HR only); the body is the file",
                    "operationId": "importFile",
                    "parameters": [
                        {"name": "kind", "in": "path", "required": true,
                         "schema": {"$ref": "#/components/schemas/Kind"}},
                        {"name": "dry_run", "in": "query", "schema": {"type": "boolean"},
                         "description": "Check and preview only; write nothing"},
                        {"name": "skip_invalid", "in": "query", "schema": {"type": "boolean"},
                         "description": "Import the valid rows instead of rejecting the file"},
                        {"name": "date_format", "in": "query", "schema": {"type": "string", "enum": ["dmy", "mdy"]},
                         "description": "Order of day and month in dates like 03/04/2024, when the file does not tell"},
                        {"name": "file_name", "in": "query", "schema": {"type": "string"},
                         "description": "The name to record in the import history"},
                        {"name": "covers", "in": "query", "schema": {"type": "string"},
                         "description": "The days the file covers, FROM..TO: days (2025-01-01..2025-03-31) or whole months (2025-01..2025-03); every row must lie in it. Default: the whole months of the file's dates (a roster: from its earliest hire date on). A bad range is a 422 naming covers."}
                    ],
                    "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}}},
                    "responses": {
                        "200": {"description": "Imported, already imported, or previewed (dry run)",
                                "content": {"application/json": {"schema": import.clone()}}},
                        "422": {"description": "Rejected: some rows are invalid (the import answer), or covers is not a range ({\"error\", \"field\": \"covers\"}); nothing was written",
                                "content": {"application/json": {"schema": import}}},
                        "400": error.clone(),
                        "401": error.clone(),
                        "403": error.clone(),
                        "413": error
                    }
                }
            }
        },
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        }
    })
}

/// `GET /api/openapi.json` (signed in, any role).
pub async fn show(_user: CurrentUser) -> Result<Json<Value>, AppError> {
    Ok(Json(document()))
}

#[cfg(test)]
mod tests {
    use super::document;

    #[test]
    fn the_document_describes_both_endpoints_with_generated_schemas() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.0.3");
        assert!(doc["paths"]["/api/v1/metrics"]["get"].is_object());
        assert!(doc["paths"]["/api/v1/imports/{kind}"]["post"].is_object());
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for name in [
            "Report",
            "Scope",
            "Fundamentals",
            "Intermediate",
            "Advanced",
            "ApiResult",
            "ColumnMapping",
            "DateOrderUsed",
            "RowError",
            "Kind",
            "Period",
        ] {
            assert!(schemas.contains_key(name), "{name} is described");
        }
        let fundamentals = &schemas["Fundamentals"]["properties"];
        assert!(fundamentals["voluntary_turnover_rate"].is_object());
        assert!(fundamentals["empathy_favorability"].is_object());
        // Withheld from managers, so null for them.
        let intermediate = &schemas["Intermediate"]["properties"];
        assert_eq!(intermediate["turnover_cost"]["nullable"], true);
        assert_eq!(intermediate["absence_cost"]["nullable"], true);
        // Why a figure is null, in the scope and its comparisons, with every reason named.
        let reasons = schemas["Scope"]["properties"]["reasons"].to_string();
        for reason in [
            "no_data",
            "too_few_responses",
            "not_reported_for_months",
            "period_not_finished",
            "salary_based",
            "too_few_people",
        ] {
            assert!(reasons.contains(reason), "{reason} in {reasons}");
        }
        assert!(
            schemas["Comparison"]["properties"]["reasons"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("reasons")),
            "{}",
            schemas["Comparison"]["properties"]["reasons"]
        );
        // Row warnings (valid rows that look wrong) are part of an import's answer.
        assert!(schemas["ApiResult"]["properties"]["warnings"].is_object());
        // Tuple schemas (`items` as a list) are not OpenAPI 3.0: pairs are objects.
        let import = &schemas["ApiResult"]["properties"];
        for field in ["columns", "date_orders", "sample"] {
            assert!(
                import[field]["items"].is_object(),
                "{field}: {}",
                import[field]
            );
        }
        assert_eq!(
            doc["paths"]["/api/v1/metrics"]["get"]["parameters"][0]["required"], false,
            "the period has a default"
        );
        // Every $ref points at a described schema.
        let text = doc.to_string();
        for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = &reference[..reference.find('"').unwrap()];
            assert!(schemas.contains_key(name), "dangling $ref to {name}");
        }
    }
}
