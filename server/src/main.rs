//! `shelfwise serve | import book-crossing DIR | import goodbooks DIR`.

use clap::Parser;
use shelfwise::config::{Cli, Command};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_new(&cli.global.log_level).unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let outcome = match &cli.command {
        Command::Serve(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(shelfwise::Error::from)
            .and_then(|rt| rt.block_on(shelfwise::serve::run(&cli.global, args))),
        Command::Import(cmd) => shelfwise::import::run(&cli.global, cmd),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
