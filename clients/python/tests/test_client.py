"""Client: submit with per-item results, job, jobs with a filter, cancel, retry; tokens that change."""

from __future__ import annotations

import pytest

from jobservice_worker import Client, JobServiceError, UserErrorsError

from .conftest import Service


def test_submit_query_cancel_and_retry(service: Service) -> None:
    client = service.client("OPERATOR")
    results = client.submit([
        {"target": "PY_CLIENT_A", "operation": "ADD", "payload": {"file": "a.tar"}},
        {"target": "not a name", "operation": "ADD"},
        {"target": "PY_CLIENT_A", "operation": "CHANGE"},
        {"target": "PY_CLIENT_B", "operation": "SET_STATUS"},
        {"target": "PY_CLIENT_C", "operation": "ADD", "priority": 5},
    ])  # fmt: skip
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    created, bad_name, duplicate, missing_status, other = results
    assert created["job"] is not None and created["error"] is None
    job_id = created["job"]["id"]
    assert bad_name["job"] is None and bad_name["error"] is not None
    assert bad_name["error"]["code"] in ("INVALID_TARGET", "INVALID_PARAMETERS")
    assert duplicate["error"] is not None and duplicate["error"]["code"] == "DUPLICATE_IN_PROGRESS"
    assert duplicate["existingJob"] == {"id": job_id, "status": "QUEUED"}
    assert missing_status["error"] is not None and missing_status["error"]["code"] == "INVALID_PARAMETERS"
    assert other["job"] is not None

    job = client.job(job_id)
    assert job is not None
    assert (job["status"], job["operation"], job["parameters"]["payload"], job["createdBy"]) == ("QUEUED", "ADD", {"file": "a.tar"}, "py-operator")
    assert client.job("000000000000000000000000") is None

    page = client.jobs({"target": "PY_CLIENT_A"})
    assert page["totalCount"] == 1 and [j["id"] for j in page["nodes"]] == [job_id]
    by_priority = client.jobs({"operations": ["ADD"], "active": True}, order_by={"field": "PRIORITY", "direction": "DESC"}, first=1)
    assert by_priority["totalCount"] == 2 and by_priority["pageInfo"]["hasNextPage"] is True
    assert by_priority["nodes"][0]["id"] == other["job"]["id"]
    assert [j["id"] for j in client.iter_jobs({"operations": ["ADD"]}, page_size=1)] == [other["job"]["id"], job_id]

    cancelled = client.cancel(job_id, reason="wrong file")
    assert (cancelled["status"], cancelled["terminal"]) == ("CANCELLED", True)
    with pytest.raises(UserErrorsError) as refused:
        client.cancel(job_id)
    assert refused.value.codes == ["JOB_TERMINAL"]

    again = client.retry(job_id)
    assert again["id"] != job_id and again["status"] == "QUEUED" and again["retryOf"] == {"id": job_id}
    old = client.job(job_id)
    assert old is not None and (old["status"], old["retriedBy"]) == ("CANCELLED", {"id": again["id"]})
    with pytest.raises(UserErrorsError) as not_retryable:
        client.retry(again["id"])
    assert not_retryable.value.codes == ["NOT_RETRYABLE"]

    with pytest.raises(UserErrorsError) as rejected:
        client.submit_one("bad name", "ADD")
    assert rejected.value.codes[0] in ("INVALID_TARGET", "INVALID_PARAMETERS")


def test_a_token_callable_is_asked_before_every_call(service: Service) -> None:
    tokens = iter(["not-a-jwt", service.tokens["VIEWER"], service.tokens["VIEWER"]])
    asked: list[str] = []

    def token() -> str:
        asked.append(next(tokens))
        return asked[-1]

    client = Client(service.url, token)
    try:
        with pytest.raises(JobServiceError) as refused:
            client.jobs()
        assert refused.value.code == "UNAUTHENTICATED"
        # The refreshed token is used on the next call.
        assert client.jobs()["totalCount"] == 0
        with pytest.raises(JobServiceError) as forbidden:
            client.submit([{"target": "PY_VIEWER", "operation": "ADD"}])  # a VIEWER may not submit
        assert forbidden.value.code == "FORBIDDEN"
        assert len(asked) == 3
    finally:
        client.close()


def test_the_token_comes_from_the_environment(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKER_TOKEN", raising=False)
    monkeypatch.delenv("JOBSERVICE_TOKEN", raising=False)
    with pytest.raises(ValueError, match="JOBSERVICE_TOKEN"):
        Client(service.url)
    monkeypatch.setenv("JOBSERVICE_TOKEN", service.tokens["SUBMITTER"])
    with Client(service.url) as client:
        (result,) = client.submit([{"target": "PY_ENV_TOKEN", "operation": "ADD"}])
        assert result["job"] is not None and result["job"]["createdBy"] == "py-submitter"
