"""The agent queue through the real server: a decision for channel "agent"
becomes a task with the priority worked out by hand from the formula in
engine/agent_queue.h; agents taking at the same moment never get the same
task; complete/snooze/hand back, with precise errors for bad input; a
"promise" outcome is seen by the rules (the next decision waits). Each
test runs on SQLite and, with the private test server, on MariaDB.

Run: /usr/bin/python3 -m pytest tests/integration/test_agent_queue.py"""
import threading

import pytest
import requests

from channels_helpers import AUTH, JSON, Server, customer, invoice


@pytest.fixture
def server(tmp_path, store_db):
    s = Server(tmp_path, db=store_db)
    yield s
    s.stop()


def open_tasks(server):
    r = server.get("/v1/agent/tasks")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_decisions_become_prioritised_tasks(server):
    # due 2026-06-01, today 2026-06-02: 1 day overdue = 2 points; 1 point per 10.00
    amounts = {"C1": 10000, "C2": 250000, "C3": 2000000}
    expected = {"C1": 12, "C2": 252, "C3": 502}   # C3: the amount part is capped at 500
    for cid, amount in amounts.items():
        assert server.post("/v1/customers", customer(cid)).status_code == 201
        assert server.post("/v1/invoices", invoice("I" + cid, cid, amount)).status_code == 201
    tasks = server.wait_for("three agent tasks", lambda: len(open_tasks(server)) == 3
                            and open_tasks(server))
    assert [t["customer_id"] for t in tasks] == ["C3", "C2", "C1"]
    assert {t["customer_id"]: t["priority"] for t in tasks} == expected
    for t in tasks:
        assert t["source"] == "rules" and t["state"] == "open" and t["contact_id"]
    # the contact behind each task is recorded as sent to the queue
    contacts = server.get("/v1/contacts").json()["items"]
    agent = [c for c in contacts if c["channel"] == "agent"]
    assert len(agent) == 3
    assert all(c["state"] == "sent" and c["provider_id"].startswith("task-") for c in agent)

    # five agents take at the same moment: three distinct tasks, two "nothing waiting"
    barrier = threading.Barrier(5)
    results = {}

    def take(name):
        barrier.wait(timeout=10)
        results[name] = requests.post(server.base + "/v1/agent/tasks/take",
                                      json={"agent": name}, headers=AUTH, timeout=30)

    threads = [threading.Thread(target=take, args=(f"agent{i}",)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    ok = {n: r.json() for n, r in results.items() if r.status_code == 200}
    assert len(ok) == 3
    assert len({t["id"] for t in ok.values()}) == 3
    assert sorted(r.status_code for r in results.values()) == [200, 200, 200, 404, 404]
    for name, task in ok.items():
        assert task["state"] == "taken" and task["agent"] == name
        assert task["taken_until"] == "2026-06-02T09:30:00Z"   # lease 1800 s
    by_customer = {t["customer_id"]: (n, t["id"]) for n, t in ok.items()}

    holder, c3 = by_customer["C3"]
    other = next(n for n in ok if n != holder)
    # bad input changes nothing: wrong agent, unknown outcome, bad promise, unknown task
    r = server.post(f"/v1/agent/tasks/{c3}/complete", {"agent": other, "outcome": "paid"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "agent"
    r = server.post(f"/v1/agent/tasks/{c3}/complete", {"agent": holder, "outcome": "maybe"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "outcome"
    r = server.post(f"/v1/agent/tasks/{c3}/complete",
                    {"agent": holder, "outcome": "promise", "promise": {"due": "2026-13-01"}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "promise.due"
    r = server.post(f"/v1/agent/tasks/{c3}/complete", {"agent": holder, "outcome": "promise"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "promise"
    r = server.post(f"/v1/agent/tasks/{c3}/complete", {"agent": holder, "outcom": "paid"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "outcom"
    r = server.post("/v1/agent/tasks/999999/complete", {"agent": holder, "outcome": "paid"})
    assert r.status_code == 404
    assert server.get(f"/v1/agent/tasks/{c3}").json()["state"] == "taken"

    # a promise: the rules see it (the customer now waits, "promised" segment)
    r = server.post(f"/v1/agent/tasks/{c3}/complete",
                    {"agent": holder, "outcome": "promise", "note": "pays on the 9th",
                     "promise": {"due": "2026-06-09"}})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "done" and r.json()["outcome"] == "promise"
    preview = server.get("/v1/customers/C3/preview").json()["decision"]
    assert preview["action"] == "wait" and preview["segment"] == "promised"
    assert "2026-06-09" in preview["reason"]
    timeline = server.get("/v1/customers/C3/timeline").json()
    kinds = [e["kind"] for e in timeline["events"]]
    assert "agent_outcome" in kinds
    contact = [c for c in timeline["contacts"] if c["channel"] == "agent"][0]
    assert contact["state"] == "answered" and contact["outcome"] == "conversation"
    # completed twice → conflict
    r = server.post(f"/v1/agent/tasks/{c3}/complete", {"agent": holder, "outcome": "paid"})
    assert r.status_code == 409

    # snooze: back in the queue, but not before the time given
    holder2, c2 = by_customer["C2"]
    r = server.post(f"/v1/agent/tasks/{c2}/snooze", {"agent": holder2, "minutes": 45})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "open" and r.json()["snoozed_until"] == "2026-06-02T09:45:00Z"
    r = server.post("/v1/agent/tasks/take", {"agent": "late"})
    assert r.status_code == 404          # the clock is pinned: the snooze has not ended
    # hand back: takeable again at once
    holder1, c1 = by_customer["C1"]
    assert server.post(f"/v1/agent/tasks/{c1}/release", {"agent": holder1}).status_code == 200
    r = server.post("/v1/agent/tasks/take", {"agent": "late"})
    assert r.status_code == 200 and r.json()["id"] == c1 and r.json()["agent"] == "late"
    r = server.post(f"/v1/agent/tasks/{c1}/complete", {"agent": "late", "outcome": "no_answer"})
    assert r.status_code == 200
    contact = [c for c in server.get("/v1/customers/C1/timeline").json()["contacts"]
               if c["channel"] == "agent"][0]
    assert contact["outcome"] == "no_answer" and contact["state"] == "sent"


def test_two_instances_on_one_store_never_hand_out_a_task_twice(tmp_path, store_db):
    """Two engine processes share one store; eight agents take at the same
    moment, half through each: every task goes to exactly one agent."""
    a = Server(tmp_path, db=store_db)
    other = tmp_path / "b"
    other.mkdir()
    b = None
    try:
        b = Server(other, db=store_db)
        for i in range(1, 6):
            cid = f"M{i}"
            assert a.post("/v1/customers", customer(cid)).status_code == 201
            assert a.post("/v1/invoices", invoice("I" + cid, cid, 10000 * i)).status_code == 201
        a.wait_for("five tasks", lambda: len(open_tasks(a)) == 5)
        barrier = threading.Barrier(8)
        results = []
        lock = threading.Lock()

        def take(server, name):
            barrier.wait(timeout=10)
            r = requests.post(server.base + "/v1/agent/tasks/take", json={"agent": name},
                              headers=AUTH, timeout=30)
            with lock:
                results.append(r)

        threads = [threading.Thread(target=take, args=((a, b)[i % 2], f"agent{i}"))
                   for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        taken = [r.json()["id"] for r in results if r.status_code == 200]
        assert sorted(r.status_code for r in results) == [200] * 5 + [404] * 3
        assert len(set(taken)) == 5
        owners = a.query("SELECT COUNT(DISTINCT agent) FROM agent_tasks WHERE state = 'taken'")
        assert owners == [(5,)]
    finally:
        if b:
            b.stop()
        a.stop()
