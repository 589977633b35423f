"""Filters for the log the operator reads."""

import logging


class StoppedTaskFilter(logging.Filter):
    """Leave out the traceback of a task the operator stopped on purpose.

    A second Ctrl-C, or a signal, stops the task worker mid-task; the task
    library logs that as a failure with its traceback, which says nothing the
    operator does not know. Braid's own log says what became of the roster.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        stopped = (SystemExit, KeyboardInterrupt)
        if record.exc_info and issubclass(record.exc_info[0] or Exception, stopped):
            record.exc_info = None
            record.exc_text = None
        return True
