"""Package versions and the one tree hash."""

import hashlib
import sys
from importlib import metadata

import pytest

from zjanalysis import versions


@pytest.mark.parametrize("name", ["pandas", "papermill", "nbconvert", "jupyter_client", "IPython"])
def test_versions_agree_with_importlib_metadata(name):
    assert versions.package_versions([name])[name] == metadata.version(name)


def test_the_first_dist_info_on_the_path_wins_and_names_are_normalised(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "Some_Package-1.2.3.dist-info").mkdir(parents=True)
    (second / "some_package-9.9.9.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(first), str(second), *sys.path])
    found = versions.package_versions(["some-package", "Some.Package", "no-such-package-here"])
    assert found["some-package"] == found["Some.Package"] == "1.2.3"
    assert found["no-such-package-here"] == "absent" and "python" in found


def test_the_tree_hash_is_the_path_then_the_bytes_digest_in_path_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.py").write_bytes(b"two")
    (tmp_path / "a.py").write_bytes(b"one")
    (tmp_path / "b" / "__pycache__").mkdir()
    (tmp_path / "b" / "__pycache__" / "x.pyc").write_bytes(b"ignored")
    by_hand = hashlib.sha256()
    for relative, content in (("a.py", b"one"), ("b/x.py", b"two")):
        by_hand.update(relative.encode() + b"\0" + hashlib.sha256(content).digest())
    assert versions.tree_sha256(tmp_path) == by_hand.hexdigest()
    assert versions.tree_sha256(tmp_path / "absent") == hashlib.sha256().hexdigest()
