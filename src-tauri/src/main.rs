//! `branchdesk`: with no arguments it opens the desk's window; with a subcommand it runs headless.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() > 1 {
        branchdesk::cli::run(args)
    } else {
        branchdesk::run_gui()
    }
}
