// One tap, one change: an action pressed again while it is still being written is not run again.

/** Wrap an async action so calls made while it runs share that run instead of starting another. */
export function oneAtATime(action) {
  let running = null;
  return (...args) => {
    if (!running) running = (async () => action(...args))().finally(() => { running = null; });
    return running;
  };
}
