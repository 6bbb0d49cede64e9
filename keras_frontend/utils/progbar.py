"""Keras 3's progress bar, drawn in place on a terminal or in Jupyter.

On a terminal: ``\\r``-redrawn ``47/47 ━━━━━━━━━━━━━━━━━━━━ 1s 12ms/step - loss: 0.3100``
with Keras's bold/colour codes. Elsewhere (logs, CI, pipes) the same line is printed once,
when the bar finishes, with no control characters.
"""

import math
import sys
import time


def _interactive():
    stream = sys.stdout
    return (hasattr(stream, "isatty") and stream.isatty()) or _in_notebook()


def _in_notebook():
    """True inside a Jupyter kernel (where the bar redraws in place), not merely when some
    library imported ipykernel (jupyter_client does, to find kernels)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def format_time_per_unit(seconds, unit):
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


def format_value(value):
    return f" {value:.4f}" if abs(value) > 1e-3 else f" {value:.4e}"


class Progbar:
    """``update(current, values)`` redraws the bar; values are shown as given."""

    def __init__(self, target, width=20, verbose=1, interval=0.05, unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self._dynamic = _interactive()
        self._start = time.time()
        self._last_update = 0.0
        self._after_first = None
        self._prev_width = 0
        self._values = {}

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for key, value in values or []:
            self._values[key] = value
        now = time.time()
        per_unit = self._time_per_unit(current, now)
        if self.verbose == 1:
            if not finalize and (not self._dynamic or now - self._last_update < self.interval):
                return
            self._write(self._line(current, now, per_unit, finalize), finalize)
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            line = f"{current:>{digits}}/{self.target} - {now - self._start:.0f}s -"
            line += format_time_per_unit(per_unit, self.unit_name) + self._metrics_text()
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        self._last_update = now

    def _line(self, current, now, per_unit, finalize):
        """The bar's text (with Keras's control codes when drawn in place) and its width."""
        codes = self._dynamic
        bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if codes else (lambda s: s)
        if self.target:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:>{digits}}/{self.target}"
            done = int(self.width * current / self.target)
            done_bar, rest_bar = "━" * done, "━" * (self.width - done)
            if codes:
                bar = (f"\x1b[32m{done_bar}\x1b[0m" if done else "") + f"\x1b[37m{rest_bar}\x1b[0m"
            else:
                bar = done_bar + rest_bar
            head = f"{bold(count)} {bar}"
            visible = len(count) + 1 + self.width
        else:
            head = f"{current:7d}/Unknown"
            visible = len(head)
        if self.target and not finalize:
            eta = per_unit * (self.target - current)
            if eta > 3600:
                eta_text = f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
            elif eta > 60:
                eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                eta_text = f"{int(eta)}s"
        else:
            eta_text = f"{now - self._start:.0f}s"
        info = f" {bold(eta_text)}" + format_time_per_unit(per_unit, self.unit_name)
        info += self._metrics_text()
        visible += 1 + len(eta_text) + len(info) - len(f" {bold(eta_text)}")
        return head + info, visible

    def _metrics_text(self):
        return "".join(f" - {key}:{format_value(value)}" for key, value in self._values.items())

    def _write(self, line_and_width, finalize):
        line, width = line_and_width
        if self._dynamic:
            pad = " " * max(self._prev_width - width, 0)
            sys.stdout.write("\b" * self._prev_width + "\r" + line + pad)
            self._prev_width = width
            if finalize:
                sys.stdout.write("\n")
        else:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def _time_per_unit(self, current, now):
        if not current:
            return 0.0
        if self._after_first is not None and current > 1:
            per_unit = (now - self._after_first) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1 and self._after_first is None:
            self._after_first = now
        return per_unit
