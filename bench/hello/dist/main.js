// Tell the benchmark the first screen is up (same signal Branch Desk sends).
window.__TAURI_INTERNALS__.invoke("ready");
