import logging

import pytest


@pytest.fixture(autouse=True)
def task_log(caplog):
    # A task worker run by another test may have turned the library's log down.
    caplog.set_level(logging.INFO, logger="django_tasks")


def _failed_task(exception: BaseException) -> None:
    # What the task library does when a task ends by an exception.
    try:
        raise exception
    except BaseException:
        logging.getLogger("django_tasks").exception("Task id=1 state=FAILED")


def test_a_task_the_operator_stopped_is_logged_without_a_traceback(quiet):
    _failed_task(SystemExit(1))
    _failed_task(KeyboardInterrupt())

    stopped = quiet.records[:]
    assert quiet.take() == ["django_tasks: Task id=1 state=FAILED"] * 2
    assert [record.exc_info for record in stopped] == [None, None]


def test_a_task_that_broke_keeps_its_traceback_for_the_operator(quiet):
    _failed_task(ValueError("broken"))

    (broken,) = quiet.records
    assert quiet.take() == ["django_tasks: Task id=1 state=FAILED"]
    assert broken.exc_info is not None and broken.exc_info[0] is ValueError
