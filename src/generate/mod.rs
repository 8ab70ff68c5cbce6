//! Synthetic companies: the demo company that `attune demo` loads, and companies of any size
//! that `attune generate` writes as CSV files — one per data kind, ready for `attune import` —
//! to try Attune with realistic volumes or to measure it (scripts/bench).
//!
//! Both come from the same simulation ([`Company`]): the roster first, then the activity one
//! month at a time ([`History`]), so that writing a company of any size holds one
//! month's rows in memory, never the whole history.

pub mod activity;
pub mod company;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;

pub use activity::{Activity, History};
pub use company::Company;

use crate::db::employees::NewEmployee;
use crate::import::Kind;

/// What to generate: `employees` people (about as many are employed at the end), with `years`
/// of history up to `until`. The same values give byte-identical files.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub employees: usize,
    pub years: u32,
    pub seed: u64,
    pub until: NaiveDate,
}

/// The rows written per file, in import order.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub teams: usize,
    pub active: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub files: Vec<(Kind, PathBuf, u64)>,
}

/// Why the files could not be written. Nothing is left behind: files are written under
/// temporary names and renamed only once all of them are complete.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{0} is a file, not a folder: choose a folder for --out")]
    NotAFolder(PathBuf),
    #[error("cannot create the folder {path}: {reason}")]
    CreateFolder {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error(
        "{folder} already holds {files}: add --force to replace {them}, or choose another --out",
        them = if .files.contains(',') { "them" } else { "it" }
    )]
    WouldReplace { folder: PathBuf, files: String },
    #[error("cannot write {path}: {reason}")]
    Write {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("interrupted; no file was written")]
    Interrupted,
}

/// The file a kind is written to.
pub fn file_name(kind: Kind) -> String {
    format!("{}.csv", kind.name())
}

/// Where generation stands: `done` of `total` steps (the roster, then each month).
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
    /// The month just written, once the roster is.
    pub month: Option<NaiveDate>,
}

/// Write the company of `spec` into `out` (created if needed): one CSV file per kind. Files
/// already there are refused unless `replace`. `stop` is checked between months (Ctrl-C);
/// `progress` hears after each step.
pub fn write(
    spec: &Spec,
    out: &Path,
    replace: bool,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Written, GenerateError> {
    prepare_folder(out, replace)?;
    let company = Company::generated(spec.employees, spec.years, spec.seed, spec.until);
    let total = History::total(&company) + 1;
    let mut files = Files::create(out)?;
    let result = (|| {
        let roster = company.roster();
        for employee in &roster {
            files.employee(employee)?;
        }
        progress(Progress {
            done: 1,
            total,
            month: None,
        });
        for (done, (month, activity)) in (2..).zip(History::new(&company, &roster)) {
            if stop.load(Ordering::Relaxed) {
                return Err(GenerateError::Interrupted);
            }
            files.activity(&activity)?;
            progress(Progress {
                done,
                total,
                month: Some(month),
            });
        }
        Ok(roster
            .iter()
            .filter(|e| e.termination_date.is_none())
            .count())
    })();
    match result.and_then(|active| Ok((active, files.finish()?))) {
        Ok((active, files)) => Ok(Written {
            teams: company.teams.len(),
            active,
            from: company.start,
            to: company.until,
            files,
        }),
        Err(err) => {
            files.remove();
            Err(err)
        }
    }
}

/// Create `out` if needed; refuse a file, or files of ours that are there unless `replace`.
fn prepare_folder(out: &Path, replace: bool) -> Result<(), GenerateError> {
    if out.exists() && !out.is_dir() {
        return Err(GenerateError::NotAFolder(out.to_path_buf()));
    }
    std::fs::create_dir_all(out).map_err(|reason| GenerateError::CreateFolder {
        path: out.to_path_buf(),
        reason,
    })?;
    let existing: Vec<String> = Kind::ALL
        .into_iter()
        .map(file_name)
        .filter(|name| out.join(name).exists())
        .collect();
    if !existing.is_empty() && !replace {
        return Err(GenerateError::WouldReplace {
            folder: out.to_path_buf(),
            files: existing.join(", "),
        });
    }
    Ok(())
}

/// One output file, written under a temporary name until all are complete.
struct CsvFile {
    kind: Kind,
    partial: PathBuf,
    path: PathBuf,
    writer: Option<csv::Writer<BufWriter<File>>>,
    rows: u64,
}

impl CsvFile {
    fn create(out: &Path, kind: Kind, header: &[&str]) -> Result<CsvFile, GenerateError> {
        let name = file_name(kind);
        let path = out.join(&name);
        let partial = out.join(format!(".{name}.partial"));
        let file = File::create(&partial).map_err(|reason| GenerateError::Write {
            path: path.clone(),
            reason,
        })?;
        let mut file = CsvFile {
            kind,
            partial,
            path,
            writer: Some(csv::Writer::from_writer(BufWriter::with_capacity(
                1 << 16,
                file,
            ))),
            rows: 0,
        };
        file.record(header)?;
        file.rows = 0;
        Ok(file)
    }

    fn record<I, T>(&mut self, fields: I) -> Result<(), GenerateError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let writer = self.writer.as_mut().expect("written until finished");
        writer
            .write_record(fields)
            .map_err(|err| self.error(err.into()))?;
        self.rows += 1;
        Ok(())
    }

    fn error(&self, reason: std::io::Error) -> GenerateError {
        GenerateError::Write {
            path: self.path.clone(),
            reason,
        }
    }

    /// Flush and close the file (still under its temporary name).
    fn close(&mut self) -> Result<(), GenerateError> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let file = writer
            .into_inner()
            .map_err(|err| self.error(err.into_error()))?
            .into_inner()
            .map_err(|err| self.error(err.into_error()))?;
        file.sync_all().map_err(|err| self.error(err))
    }
}

/// The seven output files.
struct Files(Vec<CsvFile>);

impl Files {
    fn create(out: &Path) -> Result<Files, GenerateError> {
        let mut files = Files(Vec::new());
        for kind in Kind::ALL {
            match CsvFile::create(out, kind, header(kind)) {
                Ok(file) => files.0.push(file),
                Err(err) => {
                    files.remove();
                    return Err(err);
                }
            }
        }
        Ok(files)
    }

    fn file(&mut self, kind: Kind) -> &mut CsvFile {
        self.0
            .iter_mut()
            .find(|f| f.kind == kind)
            .expect("a file per kind")
    }

    fn employee(&mut self, e: &NewEmployee) -> Result<(), GenerateError> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        self.file(Kind::Employees).record([
            e.external_id.clone(),
            e.team.clone(),
            e.hire_date.to_string(),
            e.termination_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            text(&e.termination_type),
            text(&e.termination_reason),
            match e.regretted {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            text(&e.manager_external_id),
            text(&e.job_title),
            text(&e.job_level),
            e.annual_salary.map(|s| s.to_string()).unwrap_or_default(),
            text(&e.full_name),
            text(&e.email),
        ])
    }

    fn activity(&mut self, activity: &Activity) -> Result<(), GenerateError> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let number = |v: Option<i16>| v.map(|v| v.to_string()).unwrap_or_default();
        let month = |d: NaiveDate| d.format("%Y-%m").to_string();
        for a in &activity.absences {
            self.file(Kind::Absences).record([
                a.employee_id.clone(),
                a.start_date.to_string(),
                a.end_date.to_string(),
                a.absence_type.clone(),
            ])?;
        }
        for p in &activity.promotions {
            self.file(Kind::Promotions).record([
                p.employee_id.clone(),
                p.effective_date.to_string(),
                text(&p.from_title),
                text(&p.to_title),
                text(&p.from_level),
                text(&p.to_level),
            ])?;
        }
        let csat = self.file(Kind::Csat);
        for c in &activity.csat {
            csat.record([
                c.responded_on.to_string(),
                c.team.clone(),
                c.score.to_string(),
                text(&c.response_id),
                text(&c.customer_id),
                text(&c.comment),
            ])?;
        }
        let pulse = self.file(Kind::Pulse);
        for p in &activity.pulse {
            pulse.record([
                p.submitted_on.to_string(),
                p.team.clone(),
                number(p.heard),
                number(p.supported),
                number(p.valued),
                number(p.enps),
                text(&p.response_id),
            ])?;
        }
        for c in &activity.customers {
            self.file(Kind::Customers).record([
                c.customer_id.clone(),
                month(c.period_start),
                format!("{:.2}", c.revenue),
                text(&c.team),
            ])?;
        }
        for m in &activity.measures {
            self.file(Kind::Measures).record([
                text(&m.team),
                month(m.period_start),
                m.metric.clone(),
                m.value.to_string(),
            ])?;
        }
        Ok(())
    }

    /// Close every file and give each its name.
    fn finish(&mut self) -> Result<Vec<(Kind, PathBuf, u64)>, GenerateError> {
        for file in &mut self.0 {
            file.close()?;
        }
        for file in &self.0 {
            std::fs::rename(&file.partial, &file.path).map_err(|err| file.error(err))?;
        }
        Ok(self
            .0
            .iter()
            .map(|f| (f.kind, f.path.clone(), f.rows))
            .collect())
    }

    /// Remove what was written so far.
    fn remove(&mut self) {
        for file in &mut self.0 {
            file.writer = None;
            let _ = std::fs::remove_file(&file.partial);
        }
    }
}

/// The header of a kind's file: its canonical column names (see docs/importing.md).
fn header(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Employees => crate::db::employees::ALL_COLUMNS,
        Kind::Absences => &["employee_id", "start_date", "end_date", "type"],
        Kind::Promotions => &[
            "employee_id",
            "effective_date",
            "from_title",
            "to_title",
            "from_level",
            "to_level",
        ],
        Kind::Csat => &[
            "responded_at",
            "team",
            "score",
            "response_id",
            "customer_id",
            "comment",
        ],
        Kind::Pulse => &[
            "submitted_at",
            "team",
            "heard",
            "supported",
            "valued",
            "enps",
            "response_id",
        ],
        Kind::Customers => &["customer_id", "period", "revenue", "team"],
        Kind::Measures => &["team", "period", "metric", "value"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(employees: usize, years: u32) -> Spec {
        Spec {
            employees,
            years,
            seed: 11,
            until: "2026-02-10".parse().unwrap(),
        }
    }

    fn generate(spec: &Spec, out: &Path) -> Result<Written, GenerateError> {
        write(spec, out, false, &AtomicBool::new(false), &mut |_| {})
    }

    #[test]
    fn the_same_spec_writes_the_same_bytes() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        generate(&spec(120, 1), a.path()).unwrap();
        generate(&spec(120, 1), b.path()).unwrap();
        for kind in Kind::ALL {
            let read = |dir: &Path| std::fs::read(dir.join(file_name(kind))).unwrap();
            assert_eq!(read(a.path()), read(b.path()), "{kind}");
        }
        let other = tempfile::tempdir().unwrap();
        let mut seeded = spec(120, 1);
        seeded.seed = 12;
        generate(&seeded, other.path()).unwrap();
        let roster = |dir: &Path| std::fs::read(dir.join("employees.csv")).unwrap();
        assert_ne!(roster(a.path()), roster(other.path()), "another seed");
    }

    #[test]
    fn row_counts_are_the_lines_of_each_file_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let written = generate(&spec(300, 2), dir.path()).unwrap();
        for (kind, path, rows) in &written.files {
            let lines = std::fs::read_to_string(path).unwrap().lines().count() as u64;
            assert_eq!(lines, rows + 1, "{kind}: header and rows");
            assert!(*rows > 0, "{kind} has rows");
        }
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 7, "{names:?}");
    }

    #[test]
    fn existing_files_are_kept_unless_replacing_is_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("csat.csv"), "mine").unwrap();
        let err = generate(&spec(50, 1), dir.path()).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "already holds csat.csv: add --force to replace it, or choose another --out"
            ),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("csat.csv")).unwrap(),
            "mine"
        );
        write(
            &spec(50, 1),
            dir.path(),
            true,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
        assert_ne!(
            std::fs::read_to_string(dir.path().join("csat.csv")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_file_is_no_folder_and_an_interrupted_run_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(matches!(
            generate(&spec(50, 1), &file),
            Err(GenerateError::NotAFolder(_))
        ));
        let out = dir.path().join("out");
        let stop = AtomicBool::new(true);
        let err = write(&spec(50, 1), &out, false, &stop, &mut |_| {}).unwrap_err();
        assert!(matches!(err, GenerateError::Interrupted));
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
    }

    /// The volumes a 10,000-person, five-year company should have, checked on a company a
    /// fifth of its size over one year (the rates are per person and month).
    #[test]
    fn volumes_scale_to_the_benchmark_company() {
        let company = Company::generated(2_000, 1, 5, "2026-02-10".parse().unwrap());
        let roster = company.roster();
        let mut totals = Activity::default();
        for (_, month) in History::new(&company, &roster) {
            totals.extend(month);
        }
        // Thirteen months here, sixty there; five times the people.
        let scale = |n: usize| n as f64 * 5.0 * 60.0 / 13.0;
        let absences = scale(totals.absences.len());
        let csat = scale(totals.csat.len());
        let pulse = scale(totals.pulse.len());
        assert!((340_000.0..460_000.0).contains(&absences), "{absences}");
        assert!((1_700_000.0..2_300_000.0).contains(&csat), "{csat}");
        assert!((210_000.0..290_000.0).contains(&pulse), "{pulse}");
    }
}
