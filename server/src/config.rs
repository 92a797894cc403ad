//! Command line and environment configuration (every flag has an environment variable).

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use app::backend::recommender;
use app::backend::state::Limits;
use clap::{Args, Parser, Subcommand, ValueEnum};
use engine::recs::models::rerank::RerankParams;
use engine::recs::trained::TrainParams;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// Shelfwise: a book recommender you can run.
#[derive(Debug, Parser)]
#[command(name = "shelfwise", version, about)]
pub struct Cli {
    /// Options every command shares.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Folder holding the store (`store/`) and import reports (`reports/`).
    #[arg(
        long,
        env = "SHELFWISE_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Log filter, e.g. `info` or `shelfwise=debug,tower_http=info`.
    #[arg(long, env = "SHELFWISE_LOG", default_value = "info", global = true)]
    pub log_level: String,
    /// Log lines as human-readable text or as JSON (for a log collector).
    #[arg(long, env = "SHELFWISE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// sled's page cache in MiB.
    #[arg(long, env = "SHELFWISE_CACHE_MB", default_value_t = 256, global = true)]
    pub cache_mb: u64,
    /// Memory EASE's training may take, in MB: its works are the most read whose n × n matrix
    /// and scratch fit (about 18,000 at the default; `docs/scaling.md`). Training by the server
    /// and by `train` both keep to it.
    #[arg(long, env = "SHELFWISE_EASE_MEMORY_MB", default_value_t = 1_400, global = true,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub ease_memory_mb: u64,
    /// Train the hybrid's reranker: each training first fits the models on a validation split
    /// of the ratings to tune the blend and train the reranker, which makes it about 5× as long
    /// (`docs/operations.md#retraining`). `false`: the default blend alone.
    #[arg(long, env = "SHELFWISE_RERANK", default_value_t = true, global = true,
          action = clap::ArgAction::Set)]
    pub rerank: bool,
}

impl GlobalArgs {
    /// Where the sled store lives.
    pub fn store_dir(&self) -> PathBuf {
        self.data_dir.join("store")
    }

    /// Where the search index lives: beside the store, rebuilt from it when missing.
    pub fn search_dir(&self) -> PathBuf {
        self.data_dir.join("search")
    }

    /// What the server and `train` train with: the engine's serving settings, with EASE's
    /// works chosen by `--ease-memory-mb` and the reranker by `--rerank`.
    pub fn train_params(&self) -> TrainParams {
        let mut params = recommender::serving_params();
        params.ease = params
            .ease
            .with_memory_budget(self.ease_memory_mb.saturating_mul(1_000_000));
        params.rerank = self.rerank.then(RerankParams::default);
        params
    }

    /// Where import reports are written.
    pub fn reports_dir(&self) -> PathBuf {
        self.data_dir.join("reports")
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app.
    Serve(ServeArgs),
    /// Import a dataset into the store (idempotent: importing twice leaves the same store).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Evaluate every recommendation model on a held-out split and print the table.
    Eval(EvalArgs),
    /// Train the recommendation models on everything in the store and save them
    /// (`DATA_DIR/model.bin`), so the server starts serving them at once.
    Train(TrainArgs),
    /// Write the interactions the ALS model trains on, for Spark (`spark/als.py`,
    /// docs/spark.md): `DIR/interactions.csv` (`user,work,weight`) and `DIR/manifest.json`.
    ExportAls(ExportAlsArgs),
    /// Back the store up into a new folder (while the server runs too: the server writes it).
    Backup(BackupArgs),
    /// Restore a backup into an empty store (the server stopped).
    Restore(RestoreArgs),
}

/// Options of `train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// A factor folder `spark/als.py` wrote from this store's `export-als`: its work factors
    /// are the ALS component instead of the engine's own (every other model trains here).
    /// Refused, and nothing saved, when it was written for another catalog or is incomplete.
    /// Only this command reads it: a server's own retraining trains ALS itself.
    #[arg(long, env = "SHELFWISE_ALS_FACTORS")]
    pub als_factors: Option<PathBuf>,
}

/// Options of `export-als`.
#[derive(Debug, Args)]
pub struct ExportAlsArgs {
    /// The folder to write (created if missing; its two files are replaced).
    pub dir: PathBuf,
}

/// Options of `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The folder to write (`manifest.json`, `store.dump`); must not hold a backup already.
    pub dir: PathBuf,
}

/// Options of `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A folder written by `backup`.
    pub dir: PathBuf,
    /// Replace the contents of a non-empty store (never one a running server holds).
    #[arg(long)]
    pub force: bool,
}

/// Options of `eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Book-Crossing folder (BX-Books.csv, BX-Book-Ratings.csv).
    #[arg(long, default_value = "data/raw", conflicts_with = "goodbooks")]
    pub book_crossing: PathBuf,
    /// goodbooks-10k folder (books.csv, ratings.csv, tags optional) instead of Book-Crossing.
    #[arg(long)]
    pub goodbooks: Option<PathBuf>,
    /// Training ratings in the Book-Crossing ratings layout (with --test: an explicit split).
    #[arg(long, requires = "test")]
    pub train: Option<PathBuf>,
    /// Held-out ratings in the Book-Crossing ratings layout.
    #[arg(long, requires = "train")]
    pub test: Option<PathBuf>,
    /// Write each scored test user's top 20 as `user_id,rank,isbn`.
    #[arg(long)]
    pub recs_out: Option<PathBuf>,
    /// Whose recommendations --recs-out gets: popularity, content, item-knn, als, ease, hybrid
    /// (default: the best on validation).
    #[arg(long)]
    pub model: Option<String>,
    /// Write the split used (train.csv, test.csv) into this folder, for other tools to score.
    #[arg(long)]
    pub split_out: Option<PathBuf>,
    /// Score only the first N test users (a quick run).
    #[arg(long)]
    pub max_users: Option<usize>,
    /// Apply the product's rules (at most two books by one author in a top 10).
    #[arg(long)]
    pub product_rules: bool,
    /// Score the tuned blend alone, without training the reranker.
    #[arg(long)]
    pub no_rerank: bool,
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SHELFWISE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Folder with the built site (`pkg/` with the wasm, CSS and JS, and public assets).
    #[arg(long, env = "SHELFWISE_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// The address readers use, e.g. `https://books.example.org`. Writes from pages of any
    /// other origin are refused, and an `https` address turns on `Secure` cookies.
    #[arg(long, env = "SHELFWISE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mark the session cookie `Secure` even without an `https` public URL.
    #[arg(long, env = "SHELFWISE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// A reverse proxy in front sets `X-Forwarded-For`: throttle logins by the address it gives.
    #[arg(long, env = "SHELFWISE_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Retrain the recommendation models when the last model is this many hours old and
    /// anything changed since (0: never by age; a reader's new ratings count at once anyway,
    /// through fold-in).
    #[arg(long, env = "SHELFWISE_RETRAIN_HOURS", default_value_t = 24)]
    pub retrain_hours: u64,
    /// Every this many minutes, retrain if `--retrain-after` new ratings and new books came
    /// since the last model (0: only `--retrain-hours`). The shortest gap between trainings.
    #[arg(long, env = "SHELFWISE_RETRAIN_CHECK_MINUTES", default_value_t = 60)]
    pub retrain_check_minutes: u64,
    /// New ratings plus new books since the last model that make a check retrain.
    #[arg(long, env = "SHELFWISE_RETRAIN_AFTER", default_value_t = 1_000)]
    pub retrain_after: usize,
    /// Pages rendered at once; more wait their turn in arrival order (default: one per core,
    /// see `page_turns`).
    #[arg(long, env = "SHELFWISE_PAGE_RENDERS")]
    pub page_renders: Option<NonZeroUsize>,
    /// Sign-up attempts allowed per client address per hour.
    #[arg(long, env = "SHELFWISE_SIGN_UPS_PER_HOUR", default_value_t = Limits::default().sign_ups_per_hour)]
    pub sign_ups_per_hour: u32,
    /// Seconds a client has to send a request's head, and an idle keep-alive connection its
    /// next request, before the connection is closed.
    #[arg(long, env = "SHELFWISE_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Connections open at once from one client address (0: no cap). Off with --trust-proxy,
    /// where every connection comes from the proxy.
    #[arg(long, env = "SHELFWISE_CONNECTIONS_PER_ADDRESS", default_value_t = 64)]
    pub connections_per_address: usize,
    /// Megabytes kept free on the store's disk: readers' writes are refused (503) below it,
    /// so the store never fails for want of space (0: no reserve).
    #[arg(long, env = "SHELFWISE_MIN_FREE_MB", default_value_t = 64)]
    pub min_free_mb: u64,
    /// New anonymous readers allowed per client address per hour.
    #[arg(long, env = "SHELFWISE_ANONYMOUS_PER_HOUR", default_value_t = Limits::default().anonymous_per_hour)]
    pub anonymous_per_hour: u32,
}

impl ServeArgs {
    /// The public origin (`scheme://host[:port]`) without a trailing slash, if configured.
    pub fn public_origin(&self) -> Option<String> {
        self.public_url
            .as_deref()
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty())
    }

    /// The limits on each connection (see `listen`).
    pub fn hygiene(&self) -> crate::listen::Hygiene {
        crate::listen::Hygiene {
            header_read: std::time::Duration::from_secs(self.header_read_timeout_secs.max(1)),
            per_address: (self.connections_per_address > 0 && !self.trust_proxy)
                .then_some(self.connections_per_address),
        }
    }

    /// The settings the app's server functions see.
    pub fn settings(&self) -> app::backend::state::Settings {
        app::backend::state::Settings {
            secure_cookies: self.secure_cookies
                || self
                    .public_origin()
                    .is_some_and(|u| u.starts_with("https://")),
            trust_proxy: self.trust_proxy,
            limits: Limits {
                sign_ups_per_hour: self.sign_ups_per_hour,
                anonymous_per_hour: self.anonymous_per_hour,
            },
        }
    }
}

/// The dataset layouts `import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Book-Crossing: a folder with BX-Books.csv, BX-Users.csv and BX-Book-Ratings.csv.
    BookCrossing {
        /// The folder.
        dir: PathBuf,
    },
    /// goodbooks-10k: a folder with books.csv and, optionally, ratings.csv, tags.csv, book_tags.csv.
    Goodbooks {
        /// The folder.
        dir: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("shelfwise").chain(args.iter().copied()))
    }

    #[test]
    fn eases_works_follow_its_memory_budget() {
        let default = parse(&["train"]).unwrap().global.train_params();
        let half = parse(&["--ease-memory-mb", "700", "train"])
            .unwrap()
            .global
            .train_params();
        let n = |p: &TrainParams| p.ease.max_items;
        assert!(n(&half) < n(&default), "{} vs {}", n(&half), n(&default));
        assert!(half.ease.training_bytes(n(&half)) <= 700_000_000);
        assert!(default.ease.training_bytes(n(&default)) <= 1_400_000_000);
        // Everything else is the server's settings.
        assert_eq!(half.als, default.als);
        assert!(parse(&["--ease-memory-mb", "0", "train"]).is_err());
    }

    #[test]
    fn the_reranker_is_trained_unless_turned_off() {
        let on = parse(&["train"]).unwrap().global.train_params();
        assert_eq!(on.rerank, Some(RerankParams::default()));
        let off = parse(&["--rerank", "false", "train"]).unwrap();
        assert_eq!(off.global.train_params().rerank, None);
        assert!(parse(&["--rerank", "maybe", "train"]).is_err());
    }
}
