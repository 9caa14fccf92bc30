// Preloaded with `node -r`: makes b0s believe stdout is a 160-column terminal, so the
// terminal table (not the piped TSV) is what gets measured. b0s writes to a pipe or a
// file directly (src/direct-output.ts) after looking at the descriptor itself, so fd 1
// is also made to look like a device, which gets Node's stream: this one.
const fs = require('node:fs');
const fstatSync = fs.fstatSync;
fs.fstatSync = function fakeTtyFstat(fd, ...rest) {
  const st = fstatSync.call(this, fd, ...rest);
  if (fd === 1) st.isFile = st.isFIFO = st.isSocket = () => false;
  return st;
};
process.stdout.isTTY = true;
process.stdout.columns = 160;
