import io

from jobguard.check.progress import ProgressBar


class FakeTty(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_tty_and_for_long_runs():
    assert ProgressBar.for_terminal(io.StringIO()) is None
    stream = FakeTty()
    bar = ProgressBar.for_terminal(stream)
    bar(1, 5)
    assert stream.getvalue() == ""  # short run: no bar
    bar(0, 40)
    bar(40, 40)
    assert "[" + "#" * 30 + "] 40/40 files" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r")
