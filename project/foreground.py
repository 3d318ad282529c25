"""The terminal's foreground for ``devserver``, so Ctrl-C reaches it and not ``make``.

Ctrl-C sends SIGINT to the terminal's foreground process group. Under ``make run`` that
group holds GNU make too, and make catches SIGINT and SIGTERM (unless it started with
them ignored): it waits for its children, then kills itself with the same signal, so
``make run`` ended with status 130 and "make: *** [Makefile:…: run] Interrupt" however
cleanly devserver stopped. Started by a parent in the foreground group it does not
lead, devserver moves to a process group of its own and makes that the foreground:
Ctrl-C then reaches devserver and its children only, and make sees a child that exited
0. The terminal goes back to the original group on the way out.

While it holds the terminal, Ctrl-Z is ignored (by devserver and, inherited, by what it
starts): stopping a group the shell does not know of would leave the shell waiting on a
make that never stopped, with no job to bring back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def own_foreground() -> Iterator[None]:
    """Hold the terminal's foreground in a process group of this process's own, if it can."""
    terminal = _controlling_terminal()
    original = os.getpgrp()
    if terminal is None or original == os.getpid() or _foreground(terminal) != original:
        yield
        return
    os.setpgid(0, 0)
    _set_foreground(terminal, os.getpgrp())
    suspend = signal.signal(signal.SIGTSTP, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGTSTP, suspend)
        with contextlib.suppress(OSError):  # the original group may be gone already
            _set_foreground(terminal, original)


def _controlling_terminal() -> int | None:
    try:
        terminal = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    return terminal if os.isatty(terminal) else None


def _foreground(terminal: int) -> int | None:
    """The terminal's foreground group; None if it is not this process's controlling terminal."""
    try:
        return os.tcgetpgrp(terminal)
    except OSError:
        return None


def _set_foreground(terminal: int, group: int) -> None:
    """``tcsetpgrp`` from a background group stops the caller with SIGTTOU unless ignored."""
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(terminal, group)
    finally:
        signal.signal(signal.SIGTTOU, previous)
