//! `shelfwise serve | import book-crossing DIR | import goodbooks DIR | eval | train | export-als DIR | backup DIR | restore DIR`.

use clap::Parser;
use shelfwise::config::{Cli, Command, LogFormat};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: rendering a page allocates tens of thousands of small
/// strings and reactive nodes, and glibc's allocator took a third of the server's CPU time on
/// the home page (perf), most of it in its free-list upkeep.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let filter =
        EnvFilter::try_new(&cli.global.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.global.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    // Before anything is created: see `shelfwise::private`.
    shelfwise::private::private_umask();
    match shelfwise::private::tighten(&cli.global.data_dir) {
        Ok(0) => {}
        Ok(n) => tracing::info!(entries = n, "data folder made private to this user"),
        Err(e) => tracing::warn!(error = %e, "could not make the data folder private"),
    }
    let outcome = match &cli.command {
        Command::Serve(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(shelfwise::Error::from)
            .and_then(|rt| rt.block_on(shelfwise::serve::run(&cli.global, args))),
        Command::Import(cmd) => shelfwise::import::run(&cli.global, cmd),
        Command::Eval(args) => shelfwise::eval::run(args),
        Command::Train(args) => shelfwise::train::run(&cli.global, args),
        Command::ExportAls(args) => shelfwise::external_als::export(&cli.global, args),
        Command::Backup(args) => shelfwise::backup::run_backup(&cli.global, args),
        Command::Restore(args) => shelfwise::backup::run_restore(&cli.global, args),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
