"""Run a Celery worker that stops for good at one point of one task, so a test can SIGKILL it
there: `python -m tests.worker_pause celery -A config worker ...`.

CCSO_TEST_PAUSE names the point, `module:Attribute.path` (a function or a method), and
CCSO_TEST_PAUSE_AT whether the worker stops `before` calling it or `after` it returned.
CCSO_TEST_PAUSE_FILE is the sentinel: the first process to reach the point creates it, writes
its pid there and sleeps until it is killed; every process after that (the worker that takes
the task over) finds the file and runs straight through. Nothing in the project knows about
this: the point is patched in from outside, as a debugger would.
"""

from __future__ import annotations

import functools
import importlib
import os
import runpy
import sys
import time
from collections.abc import Callable
from typing import Any


def _stop_here_once(sentinel: str) -> None:
    try:
        fd = os.open(sentinel, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return  # an earlier process stopped here: this one is the rerun
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    while True:  # until SIGKILL
        time.sleep(1)


def pause_install(point: str, at: str, sentinel: str) -> None:
    module_name, _, path = point.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def paused(*args: Any, **kwargs: Any) -> Any:
        if at == "before":
            _stop_here_once(sentinel)
        result = original(*args, **kwargs)
        if at == "after":
            _stop_here_once(sentinel)
        return result

    setattr(owner, name, paused)


if __name__ == "__main__":
    import django

    django.setup()  # the point may live in a module that imports models
    pause_install(os.environ["CCSO_TEST_PAUSE"], os.environ.get("CCSO_TEST_PAUSE_AT", "before"),
                  os.environ["CCSO_TEST_PAUSE_FILE"])
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
