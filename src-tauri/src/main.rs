// No console window behind the kiosk on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> anyhow::Result<()> {
    if badgein_kiosk::supervise::requested(std::env::args_os()) {
        return badgein_kiosk::supervise::run();
    }
    badgein_kiosk::run()
}
