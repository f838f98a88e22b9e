/**
 * agtest owns the whole tree of every process it starts: each runs in its own process group
 * (execa `detached: true`), and stopping it signals the group, so a wrapper (`bash -c …`, npm) or
 * a forked child cannot outlive it or hold its output pipes open.
 */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what was wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** TERM to the group, then KILL after `graceMs` unless `exited` settled first. */
export async function stopGroup(pid: number | undefined, exited: Promise<unknown>, graceMs: number): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // Whatever of the group ignored TERM and did not hold a pipe goes too.
  signalGroup(pid, 'SIGKILL');
}

/**
 * For programs agtest starts (adapters, reference agents): calls `onOrphaned` once the parent is
 * gone (this process was re-parented), so that even `kill -9` of agtest leaves nothing listening.
 */
export function watchParent(onOrphaned: () => void, intervalMs = 500): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, intervalMs);
  timer.unref();
}
