"""The shared "did you mean" helpers: HCL's edit-distance rule and difflib hints for jobguard's own IDs."""

from jobguard.suggest import close_matches, did_you_mean, levenshtein, nearest


def test_levenshtein():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("same", "same") == 0
    assert levenshtein("", "abc") == 3


def test_nearest():
    assert nearest("lenght", ["length", "lower"]) == "length"
    assert nearest("zzzzz", ["length"]) == ""


def test_nearest_breaks_ties_alphabetically_and_honours_max_distance():
    assert nearest("cat", ["cbt", "cas"]) == "cas"
    assert nearest("abcd", ["abxy"]) == "abxy"
    assert nearest("abcd", ["abxy"], max_distance=1) == ""


def test_close_matches_and_did_you_mean():
    known = {"no-latest-tag", "no-raw-exec", "readonly-rootfs"}
    assert close_matches("no-latest-tags", known) == ["no-latest-tag"]
    assert did_you_mean("no-latest-tags", known) == "did you mean 'no-latest-tag'?"
    assert did_you_mean("zzz", known) == ""
