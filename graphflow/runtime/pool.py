"""The thread-pool runner: dependency counting, heavy steps on worker threads.

The calling thread is the dispatcher. It alone touches the run's bookkeeping (values,
dependency counts, reference counts), so none of it needs a lock: it runs cheap steps
inline, hands heavy ones (and their argument arrays) to the pool, and applies finished
results it receives on the run's own queue. numpy releases the GIL inside BLAS, ufunc
loops and copies, so heavy steps of independent branches overlap.

An exception cancels the run: the dispatcher starts nothing new, tells the workers to
skip the run's queued steps, waits for the steps already running, and raises the error
through ``op_failure`` like the sequential runner. Worker threads outlive runs; they are
shared by all sessions with the same pool size and idle on a queue between runs.
"""

import os
import queue
import threading

from .sequential import op_failure, run_sequential

_pools = {}
_pools_lock = threading.Lock()
_worker = threading.local()  # ``active`` is True on pool threads
# A forked child has none of the parent's threads: let it start its own pools.
os.register_at_fork(after_in_child=_pools.clear)


def pool_size(inter_op_parallelism_threads):
    """The pool size for a ConfigProto value: 0 means one thread per available core."""
    if inter_op_parallelism_threads > 0:
        return inter_op_parallelism_threads
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # platforms without affinity masks
        return os.cpu_count() or 1


def get_pool(size):
    """The process-wide pool with ``size`` worker threads, started on first use."""
    pool = _pools.get(size)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(size)
            if pool is None:
                pool = _pools[size] = WorkerPool(size)
    return pool


class _Run:
    """One run's link to the workers: its result queue and its cancellation flag."""

    __slots__ = ("done", "cancelled")

    def __init__(self):
        self.done = queue.SimpleQueue()
        self.cancelled = False


class WorkerPool:
    """Daemon threads executing ``fn(*args)`` and posting ``(index, result, error)``."""

    def __init__(self, size):
        self.size = size
        self._tasks = queue.SimpleQueue()
        for k in range(size):
            threading.Thread(target=self._work, name=f"graphflow-pool{size}-{k}",
                             daemon=True).start()

    def submit(self, run, index, fn, args):
        self._tasks.put((run, index, fn, args))

    def _work(self):
        _worker.active = True
        get = self._tasks.get
        while True:
            run, index, fn, args = get()
            if run.cancelled:
                run.done.put((index, None, None))
            else:
                try:
                    run.done.put((index, fn(*args), None))
                except BaseException as e:  # handed to the dispatcher, which raises it
                    run.done.put((index, None, e))
            # Drop references now: an idle worker must not keep a run's arrays alive.
            run = fn = args = None


def run_pool(plan, values, program=None, *, pool):
    """Runs ``plan`` (which has a schedule) on ``values`` using ``pool``'s threads.

    Same contract as ``run_sequential``; bind ``pool`` with functools.partial. A run
    started from inside a kernel on a pool thread runs sequentially instead: waiting there
    for pool threads could leave every thread waiting.
    """
    program = plan.program if program is None else program
    if getattr(_worker, "active", False):
        return run_sequential(plan, values, program)
    sched = plan.schedule
    successors, heavy, releases, unused = (sched.successors, sched.heavy, sched.releases,
                                           sched.unused)
    pending = sched.pending.copy()
    refs = sched.refs.copy()
    ready = list(sched.roots)
    run = _Run()
    in_flight = 0

    def finish(i, result):
        _, _, out, outs, _ = program[i]
        if out is not None:
            values[out] = result
        else:
            for o, v in zip(outs, result, strict=True):
                values[o] = v
        for s in releases[i]:
            refs[s] -= 1
            if not refs[s]:
                values[s] = None
        for s in unused[i]:
            values[s] = None
        for j in successors[i]:
            pending[j] -= 1
            if not pending[j]:
                ready.append(j)

    failure = None
    while failure is None:
        while ready and failure is None:
            i = ready.pop()
            fn, ins = program[i][0], program[i][1]
            args = [values[s] for s in ins]
            if heavy[i]:
                pool.submit(run, i, fn, args)
                in_flight += 1
                continue
            try:
                finish(i, fn(*args))
            except Exception as e:
                failure = (i, e)
        if failure is not None or not in_flight:
            break
        i, result, error = run.done.get()
        in_flight -= 1
        if error is None:
            try:
                finish(i, result)
            except Exception as e:  # a kernel returned the wrong number of outputs
                error = e
        if error is not None:
            failure = (i, error)
    if failure is not None:
        _cancel(run, in_flight)
        index, error = failure
        raise op_failure(plan, index, values, error) from error
    return values


def _cancel(run, in_flight):
    """Skips the run's queued steps and waits until none of its steps is still running."""
    run.cancelled = True
    for _ in range(in_flight):
        run.done.get()
