//! The `customers` kind: a customer's revenue on a day or over a period, optionally by team.
//! Rows with the same customer, team and period are added up when written.

use super::{Dated, ImportKind, Spec, Target, shown, team};
use crate::db;
use crate::db::customers::NewCustomerActivity;
use crate::import::cells::{Cells, RowState};
use crate::import::columns::Column;

/// Customer activity.
pub struct Customers;

const COLUMNS: &[Column] = &[
    Column {
        name: "customer_id",
        required: true,
        aliases: &[
            "customerid",
            "customer",
            "clientid",
            "client",
            "accountid",
            "account",
        ],
    },
    Column {
        name: "date",
        required: false,
        aliases: &["invoicedate", "orderdate", "transactiondate", "day"],
    },
    Column {
        name: "period",
        required: false,
        aliases: &["month", "quarter", "year", "billingperiod"],
    },
    Column {
        name: "revenue",
        required: true,
        aliases: &["amount", "sales", "total", "netrevenue", "value"],
    },
    team(false),
];

impl ImportKind for Customers {
    type Row = NewCustomerActivity;

    const SPEC: Spec = Spec {
        name: "customers",
        label: "Customer activity (revenue)",
        columns: COLUMNS,
        date_columns: &["date"],
        number_columns: &["revenue"],
        forbidden: None,
        date_or_period: true,
        refers_to_roster: true,
        // Rows with the same key are added up into one.
        writes_every_row: false,
    };

    fn read_row(cells: &mut Cells<'_>, _: &mut RowState) -> Option<NewCustomerActivity> {
        let customer_id = cells.required("customer_id");
        let span = cells.date_or_period();
        let revenue = cells.required_number("revenue");
        let team = cells.team("team", false);
        let (period_start, period_end) = span?;
        Some(NewCustomerActivity {
            customer_id: customer_id?,
            period_start,
            period_end,
            revenue: revenue?,
            team,
        })
    }

    fn dated(c: &NewCustomerActivity) -> Dated {
        Dated::span(c.period_start, c.period_end)
    }

    fn preview(c: &NewCustomerActivity) -> Vec<(&'static str, String)> {
        vec![
            ("customer_id", c.customer_id.clone()),
            ("period_start", c.period_start.to_string()),
            ("period_end", c.period_end.to_string()),
            ("revenue", format!("{:.2}", c.revenue)),
            ("team", shown(&c.team)),
        ]
    }

    async fn write(to: Target<'_>, rows: &[NewCustomerActivity]) -> Result<u64, sqlx::Error> {
        db::customers::upsert(to.conn, Some(to.import_id), rows).await
    }
}
