// Preloaded with `node -r`: makes b0s believe stdout is a 160-column terminal, so the
// terminal table (not the piped TSV) is what gets measured.
process.stdout.isTTY = true;
process.stdout.columns = 160;
