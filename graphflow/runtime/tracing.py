"""Run tracing: ``RunOptions(trace_level=FULL_TRACE)`` fills a ``RunMetadata``.

A traced run executes a copy of the plan's program whose kernels are wrapped in timers, on
the same runner; a plain run executes the unwrapped program, so it pays nothing for
tracing. Per executed node the metadata keeps the start, end, thread, output shapes and
output bytes, in ``run_metadata.step_stats`` (shaped like TF1's StepStats proto), and
``run_metadata.chrome_trace()`` renders them in the Chrome trace event format for
chrome://tracing and Perfetto.
"""

import json
import threading
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["RunOptions", "RunMetadata"]

DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class RunOptions:
    """Per-call options of ``Session.run`` (TF1 ``tf.RunOptions``); only tracing acts."""

    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3

    def __init__(self, trace_level=NO_TRACE, timeout_in_ms=0, inter_op_thread_pool=0,
                 output_partition_graphs=False, report_tensor_allocations_upon_oom=False):
        self.trace_level = trace_level
        self.timeout_in_ms = timeout_in_ms
        self.inter_op_thread_pool = inter_op_thread_pool
        self.output_partition_graphs = output_partition_graphs
        self.report_tensor_allocations_upon_oom = report_tensor_allocations_upon_oom


@dataclass
class NodeExecStats:
    """One executed node. Times are microseconds (fractional), as in TF1's NodeExecStats."""

    node_name: str
    op_type: str
    all_start_micros: float  # since the epoch
    all_end_rel_micros: float  # from all_start_micros
    thread_id: int  # threading.get_ident() of the thread that ran the kernel
    output_shapes: list  # one tuple per output
    output_bytes: list  # one int per output

    @property
    def timeline_label(self):
        return f"{self.node_name} = {self.op_type}()"


@dataclass
class DeviceStepStats:
    device: str
    node_stats: list = field(default_factory=list)


@dataclass
class StepStats:
    dev_stats: list = field(default_factory=list)


class RunMetadata:
    """Filled by a traced ``Session.run``: ``step_stats`` and ``chrome_trace()``."""

    def __init__(self):
        self.step_stats = StepStats()
        self.partition_graphs = []

    def chrome_trace(self):
        """The node stats as a JSON string of Chrome trace events: one 'X' event per node."""
        return chrome_trace(self.step_stats)


def chrome_trace(step_stats):
    """``step_stats`` in the Chrome trace event format (a JSON string).

    One complete ('X') event per node, named by op type with the node name in its args;
    ``tid`` numbers threads in order of first appearance, and metadata ('M') events give
    each its thread's name. TF1's ``timeline.Timeline`` can be a thin wrapper over this.
    """
    nodes = [n for dev in step_stats.dev_stats for n in dev.node_stats]
    names = {t.ident: t.name for t in threading.enumerate()}
    tids = {}
    for n in nodes:
        tids.setdefault(n.thread_id, len(tids))
    events = [{"ph": "M", "pid": 0, "name": "process_name", "args": {"name": DEVICE}}]
    for ident, tid in tids.items():
        events.append({"ph": "M", "pid": 0, "tid": tid, "name": "thread_name",
                       "args": {"name": names.get(ident, f"thread {ident}")}})
    for n in nodes:
        events.append({
            "ph": "X", "cat": "Op", "name": n.op_type, "pid": 0,
            "tid": tids[n.thread_id], "ts": n.all_start_micros,
            "dur": n.all_end_rel_micros,
            "args": {"name": n.node_name, "op": n.op_type,
                     "output_shapes": [list(s) for s in n.output_shapes],
                     "output_bytes": n.output_bytes},
        })
    return json.dumps({"traceEvents": events, "displayTimeUnit": "ns"})


def traced_program(plan, records):
    """``plan.program`` with each kernel timed; records go to ``records`` (list.append is
    atomic, so pool threads may append concurrently)."""
    return [(_timed(fn, i, records, out is not None), ins, out, outs, frees)
            for i, (fn, ins, out, outs, frees) in enumerate(plan.program)]


def _timed(fn, index, records, single):
    clock = time.perf_counter_ns
    ident = threading.get_ident

    def call(*args):
        start = clock()
        result = fn(*args)
        end = clock()
        outputs = (result,) if single else result
        records.append((index, start, end, ident(),
                        [np.shape(v) for v in outputs],
                        [int(getattr(v, "nbytes", 0)) for v in outputs]))
        return result

    return call


def run_traced(runner, plan, values, run_metadata):
    """Runs ``plan`` with ``runner`` on a timed program and stores the stats.

    Stats of the nodes that finished are stored even when the run fails.
    """
    records = []
    epoch_offset_ns = time.time_ns() - time.perf_counter_ns()
    try:
        return runner(plan, values, traced_program(plan, records))
    finally:
        if run_metadata is not None:
            run_metadata.step_stats = _step_stats(plan, records, epoch_offset_ns)


def _step_stats(plan, records, epoch_offset_ns):
    nodes = []
    for index, start, end, thread, shapes, nbytes in sorted(records, key=lambda r: r[1]):
        op = plan.steps[index].op
        nodes.append(NodeExecStats(
            node_name=op.name, op_type=op.type,
            all_start_micros=(start + epoch_offset_ns) / 1000.0,
            all_end_rel_micros=(end - start) / 1000.0,
            thread_id=thread, output_shapes=shapes, output_bytes=nbytes))
    return StepStats(dev_stats=[DeviceStepStats(device=DEVICE, node_stats=nodes)])
