import { fork } from 'node:child_process';

/**
 * The bench's own IPC between it and the processes it measures (the service,
 * the reference server): the child starts, sends { ready }, then answers
 * { id, cmd, arg } requests with { id, value } or { id, error }. 'close' ends
 * the child. Keeping the measured server in its own process keeps the load
 * generator's CPU out of its process.cpuUsage().
 */
type Request = { id: number; cmd: string; arg?: unknown };
type Reply = { id: number; value: unknown } | { id: number; error: string };
type Ready<R> = { ready: R } | { failed: string };

export interface Child<R> {
  pid: number;
  ready: R;
  call<T>(cmd: string, arg?: unknown): Promise<T>;
  /** Asks the child to close and waits for its exit (killed after 20 s). Safe to call twice. */
  stop(): Promise<void>;
}

/** Forks `module` with `config` (JSON) as its one argument (and `execArgv` for node) and waits for its ready message (at most startMs). */
export async function startChild<R>(module: URL, config: unknown, execArgv: string[] = [], startMs = 60_000): Promise<Child<R>> {
  const proc = fork(module, [JSON.stringify(config)], { stdio: 'inherit', execArgv });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`child exited (${code ?? signal})`));
    pending.clear();
  });
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child ${module.pathname} not ready within ${startMs} ms`)), startMs);
    proc.once('message', (m: Ready<R>) => {
      clearTimeout(timer);
      if ('ready' in m) resolve(m.ready);
      else reject(new Error(`child failed to start: ${m.failed}`));
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before it was ready`));
    });
  }).catch((err: unknown) => {
    proc.kill('SIGKILL');
    throw err;
  });
  proc.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('error' in m) p.reject(new Error(m.error));
    else p.resolve(m.value);
  });
  const call = <T>(cmd: string, arg?: unknown) =>
    new Promise<T>((resolve, reject) => {
      if (!proc.connected) return reject(new Error('child is gone'));
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      proc.send({ id, cmd, arg } satisfies Request);
    });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const kill = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await call('close').catch(() => undefined);
      if (proc.exitCode === null && proc.signalCode === null) await exited;
      clearTimeout(kill);
    })();
    return stopping;
  };
  return { pid: proc.pid!, ready, call, stop };
}

/**
 * The child's side: runs `start`, reports ready (or why it failed), then answers
 * requests with `handlers`; 'close' runs `close` and exits. A parent that goes
 * away closes the child too.
 */
export function serveChild<R>(start: () => Promise<{ ready: R; handlers: Record<string, (arg: unknown) => unknown>; close: () => Promise<void> }>): void {
  const send = (m: unknown, done?: () => void) => {
    if (process.connected) process.send!(m, undefined, {}, () => done?.());
    else done?.();
  };
  const exit = () => {
    if (process.connected) process.disconnect();
    process.exit(0);
  };
  start().then(
    ({ ready, handlers, close }) => {
      let closing: Promise<string | null> | undefined;
      /** Closes once; answers the 'close' request (if any) before exiting. */
      const end = (id?: number) => {
        closing ??= close().then(
          () => null,
          (err: unknown) => String(err),
        );
        void closing.then((error) => (id === undefined ? exit() : send(error === null ? { id, value: null } : { id, error }, exit)));
      };
      process.on('disconnect', () => end());
      process.on('message', (m: Request) => {
        if (m.cmd === 'close') return end(m.id);
        const handler = handlers[m.cmd];
        if (!handler) return send({ id: m.id, error: `unknown command ${m.cmd}` });
        Promise.resolve()
          .then(() => handler(m.arg))
          .then(
            (value) => send({ id: m.id, value }),
            (err: unknown) => send({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
          );
      });
      send({ ready });
    },
    (err: unknown) => send({ failed: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1)),
  );
}

/** This process's CPU so far (user + system), µs. */
export function ownCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
