import pytest

from jagaweb.steps import Step, StepFailed, run_steps


class Record(Step[list]):
    def __init__(self, name, fail=False):
        self.name, self.fail = name, fail

    def run(self, context):
        context.append(f"run {self.name}")
        if self.fail:
            raise OSError("disk full")

    def cleanup(self, context):
        context.append(f"cleanup {self.name}")


def test_steps_run_in_order_and_clean_up_in_reverse():
    log = []
    run_steps([Record("a"), Record("b")], log)
    assert log == ["run a", "run b", "cleanup b", "cleanup a"]


def test_failure_names_the_step_and_still_cleans_up_what_started():
    log = []
    with pytest.raises(StepFailed, match="b: disk full") as caught:
        run_steps([Record("a"), Record("b", fail=True), Record("c")], log)
    assert caught.value.step == "b" and isinstance(caught.value.cause, OSError)
    assert log == ["run a", "run b", "cleanup b", "cleanup a"]
