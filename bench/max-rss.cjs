// Preloaded with `node -r`: reports the process's peak resident memory on stderr at exit.
process.on('exit', () => {
  process.stderr.write(`\nB0S_BENCH_MAX_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
