"""The test set-up does what make test relies on."""
from __future__ import annotations

import os

import pytest


@pytest.mark.xdist_group("setup_check")
def test_xdist_groups_keep_their_tests_on_one_worker(request):
    """`--dist loadgroup` sends a group to one worker by suffixing the node id with "@group"; when
    that silently stops (pytest 9.2 with pytest-xdist 3.8), each worker builds the session fixtures
    of the browser and notebook groups again (minutes of make test)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        pytest.skip("not run by pytest-xdist")
    if not getattr(request.config.option, "loadgroup", False):  # set on the workers by xdist
        pytest.skip("not run with --dist loadgroup")
    assert request.node.nodeid.endswith("@setup_check"), request.node.nodeid
