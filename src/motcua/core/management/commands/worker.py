"""``motcua worker``: the task worker of whichever backend is configured, and the failed-job list.

    motcua worker                 run the worker (the database backend's ``db_worker``, or an RQ worker with its
                                  scheduler when MOTCUA_TASKS_URL is set); SIGTERM finishes the current job first
    motcua worker --burst         work until the queue is empty, then exit
    motcua worker failed          list the jobs that failed for good (RQ: the failed registry; database: the
                                  failed task results)
    motcua worker requeue ID...   put failed jobs back in the queue (``--all``: every one); RQ only, since a
                                  failed database task is re-run by the periodic job that owns its work

``motcua serve`` and the systemd unit run ``motcua worker``, so one command works for one machine and a province.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

RQ_JOB_CLASS = "django_tasks_rq.Job"


def uses_rq() -> bool:
    return bool(getattr(settings, "TASKS_URL", ""))


def failed_jobs() -> list[dict[str, Any]]:
    """The jobs that failed for good, newest first: id, task, when, the last line of the error."""
    if uses_rq():
        import django_rq
        from django_tasks_rq import Job
        from rq.registry import FailedJobRegistry

        rows = []
        for name in settings.RQ_QUEUES:
            queue = django_rq.get_queue(name, job_class=Job)
            registry = FailedJobRegistry(queue=queue)
            for job in Job.fetch_many(registry.get_job_ids(), connection=queue.connection):
                if job is None:
                    continue
                latest = job.latest_result()
                error = (latest.exc_string if latest is not None else "") or ""
                rows.append({"id": job.id, "task": job.func_name, "queue": name, "at": job.ended_at,
                             "error": error.strip().splitlines()[-1] if error.strip() else ""})
        return sorted(rows, key=lambda r: r["at"] or 0, reverse=True)
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")[:500]
    return [{"id": str(r.id), "task": r.task_path, "queue": r.queue_name, "at": r.finished_at,
             "error": (r.exception_class_path or "")} for r in failed]


def failed_count() -> int:
    """How many jobs failed for good (RQ), for /healthz; 0 on the database backend, whose failures the
    periodic jobs pick up again."""
    if not uses_rq():
        return 0
    import django_rq
    from rq.registry import FailedJobRegistry

    return sum(FailedJobRegistry(queue=django_rq.get_queue(name)).count for name in settings.RQ_QUEUES)


def requeue(ids: list[str], every: bool) -> int:
    import django_rq
    from django_tasks_rq import Job
    from rq.registry import FailedJobRegistry

    done = 0
    for name in settings.RQ_QUEUES:
        registry = FailedJobRegistry(queue=django_rq.get_queue(name, job_class=Job))
        for job_id in registry.get_job_ids():
            if every or job_id in ids:
                registry.requeue(job_id)
                done += 1
    return done


class Command(BaseCommand):
    help = "Run the task worker of the configured backend; 'failed' lists failed jobs, 'requeue' retries them."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", default="run", choices=["run", "failed", "requeue"])
        parser.add_argument("ids", nargs="*", help="job ids (requeue)")
        parser.add_argument("--all", action="store_true", help="requeue every failed job")
        parser.add_argument("--burst", action="store_true", help="exit once the queue is empty")
        parser.add_argument("--reload", action="store_true", help="database backend: reload on code changes")
        parser.add_argument("--name", default=None, help="RQ: the worker's name (default: host and pid)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "failed":
            rows = failed_jobs()
            for row in rows:
                self.stdout.write(f"{row['id']}  {row['at'] or '-'}  {row['queue']}  {row['task']}  {row['error']}")
            self.stdout.write(f"{len(rows)} failed job(s)")
            return
        if action == "requeue":
            if not uses_rq():
                raise CommandError("requeue works on the RQ backend (MOTCUA_TASKS_URL); the database backend's "
                                   "work is picked up again by the periodic jobs.")
            if not options["ids"] and not options["all"]:
                raise CommandError("Name the job ids to requeue, or --all.")
            self.stdout.write(f"{requeue(options['ids'], options['all'])} job(s) requeued")
            return
        if uses_rq():
            # The scheduler inside the worker moves retried jobs back to the queue when their wait is over;
            # several workers may run it, RQ keeps one active per queue with a lock.
            call_command("rqworker", *settings.RQ_QUEUES, job_class=RQ_JOB_CLASS, with_scheduler=True,
                         burst=options["burst"], name=options["name"])
            return
        worker_args = ["--queue-name", "*", "--reload" if options["reload"] else "--no-reload"]
        if options["burst"]:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args)
