/**
 * Work a change of the key list asks for that shows nothing on the view's first page (the account's organization,
 * the expiry reminder), run once the view has had its turn.
 *
 * The store announces a new list to every listener in one turn of the event loop. The view's listener fires the
 * tree's change, and the rows are built when the tree then asks for them: in VS Code once the workbench, told
 * of the change, calls back; in the benchmark's stand-in from a `setTimeout(0)` that fire queues. A listener
 * registered before the view's (app.ts's is) that queued a `setTimeout(0)` of its own would run ahead of that
 * timer, and a `setImmediate` alone runs before any timer when the list came from the network (the check phase
 * follows the poll phase). So a task waits for `setImmediate` — the announcing turn and its microtasks are over
 * — and then for a `setTimeout(0)`, which runs after every timer that turn queued, in the order they were set.
 */
export class DeferredTask {
  private task: (() => void) | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  /**
   * Runs `task` later, in place of one still waiting: only the newest state is worth handling. The wait starts
   * again, so that the rows of the newest change go first too.
   */
  schedule(task: () => void): void {
    if (this.disposed) return;
    this.cancel();
    this.task = task;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        const run = this.task;
        this.task = undefined;
        run?.();
      }, 0);
    });
  }

  private cancel(): void {
    clearImmediate(this.immediate);
    clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
    this.task = undefined;
  }

  /** Drops a waiting task; nothing scheduled afterwards runs. */
  dispose(): void {
    this.disposed = true;
    this.cancel();
  }
}
