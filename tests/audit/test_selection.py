"""Which listed jobs are audited: stopped/dead skipped, periodic and dispatched children reported under their
parent, deterministic order."""

from __future__ import annotations

from jobguard.audit.selection import select


def stub(job_id: str, namespace: str = "default", status: str = "running", stop: bool = False, parent: str = "",
         modify: int = 7) -> dict:
    return {"ID": job_id, "Namespace": namespace, "Status": status, "Stop": stop, "ParentID": parent,
            "JobModifyIndex": modify}


def names(selection) -> list[str]:
    return [ref.name for ref in selection.jobs]


def test_live_jobs_in_namespace_then_id_order():
    selection = select([stub("web", "team-b"), stub("api"), stub("web"), stub("pending-one", status="pending")])
    assert names(selection) == ["default/api", "default/pending-one", "default/web", "team-b/web"]
    assert selection.jobs[0].modify_index == 7 and (selection.stopped, selection.children) == (0, 0)


def test_stopped_and_dead_jobs_are_skipped_unless_asked_for():
    stubs = [stub("web"), stub("old", stop=True, status="dead"), stub("stopping", stop=True), stub("done",
                                                                                                  status="dead")]
    selection = select(stubs)
    assert names(selection) == ["default/web"] and selection.stopped == 3
    assert names(select(stubs, include_stopped=True)) == ["default/done", "default/old", "default/stopping",
                                                          "default/web"]


def test_children_are_reported_once_under_their_parent():
    stubs = [stub("nightly"), stub("nightly/periodic-1", parent="nightly", status="dead"),
             stub("nightly/periodic-2", parent="nightly"), stub("render"),
             stub("render/dispatch-1-abc", parent="render")]
    selection = select(stubs)
    assert names(selection) == ["default/nightly", "default/render"]
    assert [ref.children for ref in selection.jobs] == [2, 1] and selection.children == 3


def test_a_stopped_parent_with_live_children_is_still_audited():
    selection = select([stub("nightly", stop=True, status="dead"), stub("nightly/periodic-9", parent="nightly")])
    assert names(selection) == ["default/nightly"]
    assert names(select([stub("nightly", stop=True, status="dead"),
                         stub("nightly/periodic-1", parent="nightly", status="dead")])) == []


def test_an_orphan_child_is_audited_on_its_own():
    selection = select([stub("batch/dispatch-1", parent="batch"), stub("batch", namespace="other")])
    assert names(selection) == ["default/batch/dispatch-1", "other/batch"]
