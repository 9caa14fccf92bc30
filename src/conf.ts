// conf, for the few small files b0s keeps (settings, what a table showed). Loading it
// also loads its atomic writer's exit hook (when-exit), which listens for SIGINT,
// SIGTERM, SIGHUP, SIGXFSZ and a dozen other signals and raises each again after its
// clean-up. b0s stops on signals itself (src/signals.ts: exit 130/143/129 with valid
// output); a signal raised twice would be taken for a second Ctrl-C, and SIGXFSZ (a
// file size limit, which b0s reports as an error) would kill it. So those listeners are
// removed as soon as conf is loaded; its clean-up on a normal exit stays. Node ignores
// SIGXFSZ (a write past the limit then fails with EFBIG), but a signal whose last
// listener is removed goes back to the system's default, which for SIGXFSZ is to kill
// the process: it keeps a listener that does nothing.
import type Conf from 'conf';

let loaded: Promise<typeof Conf> | undefined;

export function loadConf(): Promise<typeof Conf> {
  loaded ??= (async () => {
    const signals = () => process.eventNames().filter((e): e is NodeJS.Signals => typeof e === 'string' && e.startsWith('SIG'));
    const before = new Map(signals().map((s) => [s, process.listeners(s)]));
    const { default: ConfClass } = await import('conf');
    for (const signal of signals()) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
      }
      if (signal === 'SIGXFSZ' && process.listenerCount(signal) === 0) process.on(signal, () => {});
    }
    return ConfClass;
  })();
  return loaded;
}
