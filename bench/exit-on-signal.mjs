// Preloaded (node --import) into the registry by bench/public.mjs when it profiles (BENCH_PROFILE=1).
// Nest's shutdown hooks re-raise SIGTERM after closing, and a process killed by a signal writes no
// --cpu-prof profile: this listener, registered first, ends the process with exit code 0 instead, so the
// profile is written.
process.on('SIGTERM', () => process.exit(0));
