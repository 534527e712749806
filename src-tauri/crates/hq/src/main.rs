//! `branchdesk-hq`: head office's server and administrator's command line (see the library).
#![forbid(unsafe_code)]

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = hq::cli::Cli::parse();
    // Structured logs on stderr (JSON with BRANCHDESK_HQ_LOG_JSON=1); never personal data.
    let filter = tracing_subscriber::EnvFilter::try_from_env("BRANCHDESK_HQ_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if std::env::var_os("BRANCHDESK_HQ_LOG_JSON").is_some() {
        builder.json().init();
    } else {
        builder.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("branchdesk-hq: cannot start: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(hq::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(hq::cli::Failed(message)) => {
            eprintln!("branchdesk-hq: {message}");
            std::process::ExitCode::from(1)
        }
    }
}
