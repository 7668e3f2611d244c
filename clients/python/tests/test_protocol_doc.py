"""The documents this package sends are the ones docs/worker-protocol.md lists (which jest validates against the schema)."""

from __future__ import annotations

import re

from jobservice_worker import documents

from .conftest import MAINTENANCE_SET, REPO_ROOT, WORKER_QUERY, WORKER_SET_DISABLED


def normalized(text: str) -> str:
    return " ".join(text.split())


def doc_blocks() -> list[str]:
    text = (REPO_ROOT / "docs" / "worker-protocol.md").read_text(encoding="utf-8")
    return [normalized(block) for block in re.findall(r"```graphql\n(.*?)```", text, flags=re.DOTALL)]


def test_every_document_the_package_sends_is_in_the_protocol_doc() -> None:
    blocks = doc_blocks()
    missing = [name for name, document in documents.ALL.items() if normalized(document) not in blocks]
    assert missing == []


def test_the_operator_documents_the_tests_use_are_in_the_protocol_doc() -> None:
    blocks = doc_blocks()
    assert [normalized(d) in blocks for d in (WORKER_QUERY, WORKER_SET_DISABLED, MAINTENANCE_SET)] == [True, True, True]
