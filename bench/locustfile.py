"""The load of a working day on the province's cluster (``make bench-cluster``, bench/load_cluster.py).

The mix, by weight of simulated users: citizens (6) browse the catalogue, search it, open procedures, track a
dossier and now and then file one online; desk officers (2) receive dossiers and open them; specialists (1) work
through their queue; leaders (1) open the statistics. Tokens come from ``MOTCUA_LOAD_TOKENS`` (a JSON object of
username → API token, made by bench/load_cluster.py). Tracking is rate-limited per client, and every simulated user
comes from one address here, so its 429 counts as the right answer, not an error.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

from locust import HttpUser, between, task

TOKENS: dict[str, str] = json.loads(os.environ.get("MOTCUA_LOAD_TOKENS", "{}"))
SEARCHES = ["giấy phép xây dựng", "chứng chỉ hành nghề", "nhà ở", "quy hoạch", "di dời"]
APPLICANT = {"name": "Nguyễn Văn Tải", "id_number": "068090001234", "phone": "0912345678",
             "address": "12 Trần Phú, tỉnh Lâm Đồng"}


class _User(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    persona = ""  # the demo user whose API token the simulated user sends

    def on_start(self) -> None:
        self.client.verify = False  # the cluster's self-signed certificate
        self.headers = {"Authorization": f"Bearer {TOKENS[self.persona]}"} if self.persona else {}
        self.codes = [p["code"] for p in self.client.get("/api/v1/procedures?limit=100",
                                                         name="/api/v1/procedures").json()["items"]]

    def file(self, name: str) -> Any:
        body = {"procedure": random.choice(self.codes), "applicant": APPLICANT, "documents": [{"order": 1}]}
        with self.client.post("/api/v1/dossiers", json=body, headers=self.headers, name=name,
                              catch_response=True) as response:
            if response.status_code == 201:
                response.success()
                return response.json()
            if response.status_code == 400:  # a procedure without a first document: refused, correctly
                response.success()
                return None
            response.failure(f"{response.status_code}: {response.text[:200]}")
            return None


class Citizen(_User):
    weight = 6
    persona = "an"

    @task(4)
    def home(self) -> None:
        self.client.get("/")

    @task(4)
    def catalogue(self) -> None:
        self.client.get("/thu-tuc/")

    @task(3)
    def search_page(self) -> None:
        self.client.get(f"/thu-tuc/?q={random.choice(SEARCHES)}", name="/thu-tuc/?q=")

    @task(3)
    def search_api(self) -> None:
        self.client.get(f"/api/v1/procedures?q={random.choice(SEARCHES)}", name="/api/v1/procedures?q=")

    @task(4)
    def procedure(self) -> None:
        self.client.get(f"/thu-tuc/{random.choice(self.codes)}/", name="/thu-tuc/<code>/")

    @task(1)
    def track(self) -> None:
        with self.client.get("/api/v1/public/dossiers/T.SXD-260101-0001?verify=1234", name="/api/v1/public/dossiers",
                             catch_response=True) as response:
            if response.status_code in (404, 429):  # no such dossier / throttled: both the right answer
                response.success()

    @task(1)
    def submit_online(self) -> None:
        self.file("/api/v1/dossiers (online)")


class Desk(_User):
    weight = 2
    persona = "binh"

    @task(2)
    def receive(self) -> None:
        made = self.file("/api/v1/dossiers (desk)")
        if made:
            self.client.get(f"/api/v1/dossiers/{made['code']}", headers=self.headers, name="/api/v1/dossiers/<code>")

    @task(1)
    def list_received(self) -> None:
        self.client.get("/api/v1/dossiers?limit=20", headers=self.headers, name="/api/v1/dossiers (list)")


class Specialist(_User):
    weight = 1
    persona = "cuong"

    @task
    def queue(self) -> None:
        listing = self.client.get("/api/v1/dossiers?limit=20", headers=self.headers, name="/api/v1/dossiers (list)")
        items = listing.json().get("items", []) if listing.status_code == 200 else []
        if items:
            item = random.choice(items)
            code = item.get("code") or item.get("reference")
            if code:
                self.client.get(f"/api/v1/dossiers/{code}", headers=self.headers, name="/api/v1/dossiers/<code>")


class Leader(_User):
    weight = 1
    persona = "giang"

    @task(2)
    def summary(self) -> None:
        self.client.get("/api/v1/stats/summary", headers=self.headers, name="/api/v1/stats/summary")

    @task(1)
    def index766(self) -> None:
        self.client.get("/api/v1/stats/index766", headers=self.headers, name="/api/v1/stats/index766")

    @task(1)
    def ranking(self) -> None:
        self.client.get("/api/v1/stats/ranking", headers=self.headers, name="/api/v1/stats/ranking")
