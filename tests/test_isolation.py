"""The killable child process: a file's recorded time is its own, not the child's restart."""

import time

import pytest

from pipeline.isolation import IsolatedProcess, TaskFailed

WARMUP_SECONDS = 3.0  # a slow start-up, as on a loaded CI machine
TIMEOUT = 0.5


def test_timeout_seconds_exclude_the_restart_after_a_killed_child():
    with IsolatedProcess(512, TIMEOUT, warmup=("time:sleep", (WARMUP_SECONDS,))) as child:
        for _ in range(2):  # the second call restarts the child the first one killed
            with pytest.raises(TaskFailed) as failed:
                child.call(time.sleep, 60)
            assert failed.value.status == "timeout"
            assert TIMEOUT <= failed.value.seconds < WARMUP_SECONDS


def test_a_ready_child_returns_the_result():
    with IsolatedProcess(512, 30.0) as child:
        assert child.call(sum, [1, 2, 3]) == 6
