"""Fault injection for the crash-safety tests, as a wrapper around a warehouse's connection class
(production code has no hook): fail right before the Nth statement a connection executes, SIGKILL the
process there, or stop it there (SIGSTOP: it holds what it holds until the test sends SIGCONT).

In-process:  with failing_at("7", harness.connection_class): invoke("run", ...)
A process:   python tests/support/faults.py <warehouse> 7:kill run --source ...   (the CLI with the fault;
             7:stop stops instead)
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sparkify_cli.errors import WarehouseError
from sparkify_cli.warehouse.base import Params, Warehouse

SCRIPT = Path(__file__).resolve()
Execute = Callable[[Warehouse, str, Params], None]


def _wrap(spec: str, cls: type) -> tuple[Execute, Execute]:
    """cls.execute, failing at statement N of a connection (spec "N", "N:kill" or "N:stop")."""
    at, how = int(spec.split(":")[0]), spec.partition(":")[2]
    real = cls.execute

    def execute(self: Warehouse, statement: str, params: Params = None) -> None:
        count = self.__dict__.get("_fault_count", 0) + 1
        self.__dict__["_fault_count"] = count
        if count == at:
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if how != "stop":
                raise WarehouseError(f"injected failure before statement {count}")
            os.kill(os.getpid(), signal.SIGSTOP)  # resumes here on SIGCONT
        real(self, statement, params)

    return real, execute


@contextmanager
def failing_at(spec: str, cls: type) -> Iterator[None]:
    real, execute = _wrap(spec, cls)
    setattr(cls, "execute", execute)  # noqa: B010 - a test wrapper, put back below
    try:
        yield
    finally:
        setattr(cls, "execute", real)  # noqa: B010


if __name__ == "__main__":
    sys.path.insert(0, str(SCRIPT.parents[1]))
    from support.harness import HARNESSES

    cls = HARNESSES[sys.argv[1]](Path()).connection_class
    assert cls is not None, f"{sys.argv[1]} has no connection to wrap"
    _, execute = _wrap(sys.argv[2], cls)
    setattr(cls, "execute", execute)  # noqa: B010
    from sparkify_cli.cli import app

    app(args=sys.argv[3:], prog_name="sparkify")
