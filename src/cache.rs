//! Reports kept in memory between requests, so that a page costs what it takes to show its
//! figures, not to count them again from every raw row; and what pages make of them (rendered
//! pages, documents, the team list), kept the same way.
//!
//! A report depends on the data in PostgreSQL, the periods asked for and the day it is made
//! (a quarter under way has no known outcomes). The data's part is the data version
//! (`db::version`, migration 0009): PostgreSQL bumps it when any transaction that changed a table
//! a report reads commits, whoever made the change (an import, an undo, an erasure, a setting,
//! a survey's answers, another Attune instance, `psql`). Each request reads it once (in the
//! statement that reads its session or token, [`ReportCache::at`]; or one small query,
//! [`ReportCache::snapshot`]); what was kept under another version is never used again.
//! So every instance shows the new figures as soon as the change is committed, without telling
//! each other.
//!
//! What is kept is each set of periods' unredacted reports over every team; a team's report is
//! cut from it (`Report::only_team`), and what a reader may see is applied by the caller
//! (`web::redact`). Whatever is made from reports ([`ReportCache::kept`]: the pages rendered for
//! one kind of reader, the summary's PDF) is kept the same way, under a name that says
//! everything it depends on but the data and the day — what it is, its periods, and what its
//! reader may see.
//! Requests for something being computed wait for that computation instead of starting their
//! own. When a snapshot shows a data version newer than any seen before, the reports the pages
//! will ask for ([`ReportCache::warming`]) start being computed in the background, so that the
//! first reader after an import finds them ready or under way. Memory is bounded: past
//! [`DEFAULT_BUDGET`] scopes (and [`KEPT_BUDGET`] bytes of what is made from them), the least
//! recently used are dropped.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDate;
use sqlx::PgPool;
use tokio::sync::OnceCell;

use crate::db;
use crate::db::version::DataVersion;
use crate::period::Period;
use crate::report::{self, Report, ReportError};

/// How many scopes (the organization or one team in one period, with its two comparisons) are
/// kept at most: a few kilobytes each (three tiers of figures, three times), so some tens of
/// megabytes; a 40-team company holds some 60 sets of eight periods.
pub const DEFAULT_BUDGET: usize = 20_000;

/// How many bytes of what is made from reports (rendered pages, the summary's PDF) are kept at
/// most (as the maker weighs them).
pub const KEPT_BUDGET: usize = 64 * 1024 * 1024;

/// The sets of periods the pages ask for on a day (see [`ReportCache::warming`]).
pub type Asked = fn(NaiveDate) -> Vec<Vec<Period>>;

/// Something kept by [`ReportCache::kept`], of whatever type its maker makes.
type Made = Arc<dyn Any + Send + Sync>;

/// The cache of computed reports, and of what is made from them. Cheap to clone: clones share
/// it.
#[derive(Clone)]
pub struct ReportCache {
    reports: Memo<Vec<Period>, Arc<Vec<Report>>>,
    made: Memo<String, Made>,
    /// What to compute in the background when a new data version is seen.
    warm_up: Option<Asked>,
}

/// The data version and the day, as read once for a request: everything it takes from the
/// cache is what was computed from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub version: DataVersion,
    pub today: NaiveDate,
}

impl Default for ReportCache {
    fn default() -> ReportCache {
        ReportCache::new(DEFAULT_BUDGET)
    }
}

impl ReportCache {
    /// An empty cache holding at most `budget` scopes (and [`KEPT_BUDGET`] of what is made
    /// from them).
    pub fn new(budget: usize) -> ReportCache {
        ReportCache {
            reports: Memo::new(budget),
            made: Memo::new(KEPT_BUDGET),
            warm_up: None,
        }
    }

    /// This cache, computing the reports of `asked(today)` in the background whenever a
    /// snapshot shows a data version newer than any it saw before (the first one included).
    pub fn warming(mut self, asked: Asked) -> ReportCache {
        self.warm_up = Some(asked);
        self
    }

    /// The data version and the day, for a request to read everything else at (one small
    /// query; see also [`ReportCache::at`]). A version newer than any seen starts the warm-up, without waiting for it.
    pub async fn snapshot(&self, pool: &PgPool) -> Result<Snapshot, sqlx::Error> {
        let version = db::version::current(&mut *pool.acquire().await?).await?;
        Ok(self.at(version, pool))
    }

    /// [`ReportCache::snapshot`] of a data version read already (a request reads it with its
    /// session: `web::auth::CurrentUser::data_version`).
    pub fn at(&self, version: DataVersion, pool: &PgPool) -> Snapshot {
        let at = Snapshot {
            version,
            today: chrono::Local::now().date_naive(),
        };
        if self.reports.see(version)
            && let Some(asked) = self.warm_up
        {
            let (cache, pool) = (self.clone(), pool.clone());
            tokio::spawn(async move {
                for periods in asked(at.today) {
                    if let Err(e) = cache.reports_at(&at, &pool, &periods).await {
                        tracing::warn!("warming up the reports of {periods:?} failed: {e}");
                    }
                }
            });
        }
        at
    }

    /// Read the data version every second until `stopping` turns true, so that a new one is
    /// noticed (and the warm-up started) without waiting for a request to notice it.
    pub async fn watch(self, pool: PgPool, mut stopping: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.snapshot(&pool).await {
                tracing::debug!("reading the data version failed: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                _ = stopping.wait_for(|stop| *stop) => return,
            }
        }
    }

    /// The unredacted reports of `periods` over every team as of `at`, computed unless kept or
    /// under way (and then waited for, holding no connection).
    pub async fn reports_at(
        &self,
        at: &Snapshot,
        pool: &PgPool,
        periods: &[Period],
    ) -> Result<Arc<Vec<Report>>, ReportError> {
        let today = at.today;
        self.reports
            .get_or_compute(
                (at.version, today, periods.to_vec()),
                |reports| reports.iter().map(|r| 1 + r.teams.len()).sum(),
                || async {
                    let mut conn = pool.acquire().await?;
                    let reports = report::build_many_on(&mut conn, periods, None, today).await?;
                    Ok::<_, ReportError>(Arc::new(reports))
                },
            )
            .await
    }

    /// What `make` makes, kept as of `at` under `name` — which must say everything it depends
    /// on but the data and the day: what it is, its periods, and what its reader may see.
    /// `weight` is how many bytes it takes, roughly, of [`KEPT_BUDGET`].
    pub async fn kept<T, E, F, Fut>(
        &self,
        at: &Snapshot,
        name: String,
        weight: impl FnOnce(&T) -> usize,
        make: F,
    ) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let made = self
            .made
            .get_or_compute(
                (at.version, at.today, name),
                |made| made.downcast_ref::<T>().map_or(1, weight),
                || async { make().await.map(|value| Arc::new(value) as Made) },
            )
            .await?;
        // A name is always made by the same maker, so of the same type.
        Ok(made
            .downcast::<T>()
            .expect("a kept name is always made of the same type"))
    }

    /// `report::build_many`, from the cache when the data has not changed since the same
    /// periods were asked for on the same day. No connection is held while waiting for
    /// another request's computation.
    pub async fn build_many(
        &self,
        pool: &PgPool,
        periods: &[Period],
        team: Option<&str>,
    ) -> Result<Vec<Report>, ReportError> {
        let at = self.snapshot(pool).await?;
        let team = match team {
            Some(name) => Some(report::team_named(&mut *pool.acquire().await?, name).await?),
            None => None,
        };
        let reports = self.reports_at(&at, pool, periods).await?;
        Ok(match team {
            Some(name) => reports.iter().map(|r| r.only_team(&name)).collect(),
            None => reports.to_vec(),
        })
    }

    /// `report::build`, from the cache as [`ReportCache::build_many`].
    pub async fn build(
        &self,
        pool: &PgPool,
        period: Period,
        team: Option<&str>,
    ) -> Result<Report, ReportError> {
        let mut reports = self.build_many(pool, &[period], team).await?;
        Ok(reports.remove(0))
    }

    /// A document made from reports (`make`), kept as [`ReportCache::kept`] as of the current
    /// data version.
    pub async fn document<E, F, Fut>(
        &self,
        pool: &PgPool,
        name: String,
        make: F,
    ) -> Result<Arc<Vec<u8>>, E>
    where
        E: From<sqlx::Error>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<u8>, E>>,
    {
        let at = self.snapshot(pool).await?;
        self.kept(&at, name, Vec::len, make).await
    }

    /// How many sets of reports this cache has computed (the others came from memory).
    pub fn computed(&self) -> u64 {
        self.reports.computed()
    }
}

/// Values kept by data version, day and key: each computed once by whichever request asks
/// first (the others wait for it), dropped when a newer data version is seen, and the least
/// recently used dropped past a budget of weight.
struct Memo<K, V> {
    entries: Arc<Mutex<Entries<K, V>>>,
    budget: usize,
    computed: Arc<AtomicU64>,
}

impl<K, V> Clone for Memo<K, V> {
    fn clone(&self) -> Self {
        Memo {
            entries: self.entries.clone(),
            budget: self.budget,
            computed: self.computed.clone(),
        }
    }
}

/// What a value depends on: the data, the day it is made (a quarter under way has no known
/// outcomes), and what was asked.
type Key<K> = (DataVersion, NaiveDate, K);

struct Entry<V> {
    cell: Arc<OnceCell<V>>,
    /// When it was last asked for, on the memo's own clock.
    last_used: u64,
    /// Its weight once computed (0 before).
    weight: usize,
}

struct Entries<K, V> {
    map: HashMap<Key<K>, Entry<V>>,
    clock: u64,
    weight: usize,
    /// The newest data version seen: entries of older ones are dropped when it moves.
    newest: Option<DataVersion>,
}

impl<K: Clone + Eq + Hash, V: Clone> Memo<K, V> {
    fn new(budget: usize) -> Memo<K, V> {
        Memo {
            entries: Arc::new(Mutex::new(Entries {
                map: HashMap::new(),
                clock: 0,
                weight: 0,
                newest: None,
            })),
            budget,
            computed: Arc::default(),
        }
    }

    /// The value of `key`, computed by `compute` unless it is kept or being computed;
    /// `weight` says how much of the budget it takes.
    async fn get_or_compute<E, F, Fut>(
        &self,
        key: Key<K>,
        weight: impl FnOnce(&V) -> usize,
        compute: F,
    ) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let cell = self.cell(&key);
        let value = cell
            .get_or_try_init(|| async {
                let value = compute().await?;
                self.computed.fetch_add(1, Ordering::Relaxed);
                Ok(value)
            })
            .await?
            .clone();
        self.weigh(&key, weight(&value));
        Ok(value)
    }

    fn computed(&self) -> u64 {
        self.computed.load(Ordering::Relaxed)
    }

    /// Note that `version` exists, dropping what was kept under older ones; whether it is newer
    /// than any seen before.
    fn see(&self, version: DataVersion) -> bool {
        self.lock().see(version)
    }

    fn lock(&self) -> MutexGuard<'_, Entries<K, V>> {
        // Nothing panics while holding the lock; if something did, the map is still whole.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The entry of `key`, created empty if there is none.
    fn cell(&self, key: &Key<K>) -> Arc<OnceCell<V>> {
        let mut entries = self.lock();
        entries.see(key.0);
        entries.clock += 1;
        let now = entries.clock;
        let entry = entries.map.entry(key.clone()).or_insert_with(|| Entry {
            cell: Arc::default(),
            last_used: now,
            weight: 0,
        });
        entry.last_used = now;
        entry.cell.clone()
    }

    /// Count a computed entry's weight (once), then drop the least recently used entries while
    /// the memo holds more than its budget.
    fn weigh(&self, key: &Key<K>, weight: usize) {
        let mut entries = self.lock();
        if let Some(entry) = entries.map.get_mut(key)
            && entry.weight == 0
        {
            entry.weight = weight;
            entries.weight += weight;
        }
        while entries.weight > self.budget {
            let Some(oldest) = entries
                .map
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(dropped) = entries.map.remove(&oldest) {
                entries.weight -= dropped.weight;
            }
        }
    }
}

impl<K, V> Entries<K, V> {
    /// Note that `version` exists, dropping what was kept under older ones; whether it is newer
    /// than any seen before.
    fn see(&mut self, version: DataVersion) -> bool {
        let newer = self.newest.is_none_or(|newest| {
            newest.database != version.database || newest.version < version.version
        });
        if newer {
            self.newest = Some(version);
            self.map.retain(|k, _| k.0 == version);
            self.weight = self.map.values().map(|e| e.weight).sum();
        }
        newer
    }
}
