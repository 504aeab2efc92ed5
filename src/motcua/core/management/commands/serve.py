"""``motcua serve``: what production runs, in one command (``make run`` uses it).

Three child processes: the app server (Django's ``runserver`` on HOST:PORT), the task worker
(``motcua worker``: the database backend's worker, or RQ's with MOTCUA_TASKS_URL; notices, deadline recomputes)
and the scheduler
(``motcua scheduler``: tick, retries, sweeps). Production runs the same three as separate services
(docs/operations.md). Each child gets its own process group, so that one Ctrl+C or SIGTERM to
``serve`` is forwarded once to every child and its own children (runserver's autoreloader); after
``--grace`` seconds whatever is left is killed. If one child dies, the others are stopped too: a
server without its worker would silently queue notices that never leave.

The children run with ``MOTCUA_DEBUG`` off unless the environment or ``--debug`` turns it on: a person
trying ``make run`` sees the app's own 404/403/400/500 pages, as in production, not Django's debug page
with the list of URLs. Static files are still served from the source folders (WhiteNoise's finders,
settings.py), and code and templates still reload. Without ``MOTCUA_PUBLIC_BASE_URL`` the children get
``http://HOST:PORT`` of the app server as the address the links in notices use.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _group_alive(process: subprocess.Popen[bytes]) -> bool:
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Command(BaseCommand):
    help = "Run the app server, the task worker and the scheduler together; Ctrl+C stops all three."
    requires_system_checks: list[str] = []  # the children run the checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="HOST:PORT of the app server")
        parser.add_argument("--noreload", action="store_true", help="no code reloading in the server and worker")
        parser.add_argument("--debug", action="store_true",
                            help="Django's debug pages (tracebacks, URL lists) instead of the app's error pages")
        parser.add_argument("--grace", type=float, default=10.0,
                            help="seconds to wait for the children after the stop signal before killing them")

    def children(self, addrport: str, reload: bool) -> dict[str, list[str]]:
        motcua = [sys.executable, "-m", "motcua"]
        return {
            "web": [*motcua, "runserver", addrport, *([] if reload else ["--noreload"])],
            "worker": [*motcua, "worker", *(["--reload"] if reload else [])],
            "scheduler": [*motcua, "scheduler"],
        }

    def child_environment(self, debug: bool, addrport: str = "127.0.0.1:8000") -> dict[str, str]:
        env = dict(os.environ)
        if not env.get("MOTCUA_PUBLIC_BASE_URL"):
            # The links in notices (motcua.core.links) point at this server; production sets its public address.
            host, _sep, port = addrport.rpartition(":") if ":" in addrport else ("127.0.0.1", ":", addrport)
            if host in ("", "0.0.0.0", "[::]", "::"):  # noqa: S104 - a listening address, not a bind
                host = "localhost"
            env["MOTCUA_PUBLIC_BASE_URL"] = f"http://{host}:{port}"
        if debug:
            env["MOTCUA_DEBUG"] = "true"
        elif not env.get("MOTCUA_DEBUG"):
            env["MOTCUA_DEBUG"] = "false"  # an explicit MOTCUA_DEBUG=true still wins
        return env

    def handle(self, *args: Any, **options: Any) -> None:
        received: list[int] = []

        def _on_signal(signum: int, _frame: object) -> None:
            received.append(signum)

        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
        processes: dict[str, subprocess.Popen[bytes]] = {}
        env = self.child_environment(options["debug"], options["addrport"])
        for name, argv in self.children(options["addrport"], not options["noreload"]).items():
            processes[name] = subprocess.Popen(argv, start_new_session=True, env=env)  # noqa: S603 - our own command
            self.stdout.write(f"motcua serve: {name} pid {processes[name].pid}: {' '.join(argv[2:])}")
        self.stdout.flush()
        failed = ""
        while not received and not failed:
            for name, process in processes.items():
                if process.poll() is not None:
                    failed = f"{name} exited with status {process.returncode}"
                    break
            else:
                time.sleep(0.2)
        signum = received[0] if received else signal.SIGTERM
        self.stdout.write(f"motcua serve: {failed or signal.Signals(signum).name}; stopping the children")
        self.stdout.flush()
        for process in processes.values():
            _signal_group(process, signum)
        deadline = time.monotonic() + options["grace"]
        while time.monotonic() < deadline and any(_group_alive(p) for p in processes.values()):
            for process in processes.values():
                process.poll()  # reap the direct child so that its group can empty
            time.sleep(0.1)
        for name, process in processes.items():
            if _group_alive(process):
                self.stderr.write(f"motcua serve: {name} did not stop in {options['grace']}s; killed")
                _signal_group(process, signal.SIGKILL)
            process.wait()
        if failed:
            raise CommandError(failed)
