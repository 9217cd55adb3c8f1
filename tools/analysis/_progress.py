"""A dependency-free progress bar for the long-running analysis tools."""
from __future__ import annotations

import sys
import time


class Progress:
    """``[#####.....] 412/904 (45.6 %) 3.1/s, ETA 2m38s`` on one line (a new
    line per update when the output is not a terminal, at most every
    ``log_every`` seconds, so logs stay short)."""

    def __init__(self, total: int, label: str = '', done: int = 0, log_every: float = 10.0,
                 stream=None):
        self.total, self.label, self.done = total, label, done
        self.start_done, self.start = done, time.monotonic()
        self.stream = stream or sys.stderr
        self.tty = getattr(self.stream, 'isatty', lambda: False)()
        self.log_every, self.last = log_every, 0.0

    def update(self, n: int = 1, note: str = '') -> None:
        self.done += n
        now = time.monotonic()
        if not self.tty and now - self.last < self.log_every and self.done < self.total:
            return
        self.last = now
        rate = (self.done - self.start_done) / max(now - self.start, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else float('inf')
        eta = f'{int(left // 60)}m{int(left % 60):02d}s' if left != float('inf') else '?'
        frac = self.done / max(self.total, 1)
        bar = '#' * int(30 * frac) + '.' * (30 - int(30 * frac))
        line = (f'{self.label} [{bar}] {self.done}/{self.total} ({100 * frac:.1f} %) '
                f'{rate:.1f}/s, ETA {eta} {note}')
        self.stream.write(('\r' + line[:150].ljust(150)) if self.tty else line + '\n')
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write('\n')
            self.stream.flush()
