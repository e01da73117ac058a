"""Issue #20's "done when": every record of cw_ics.json of the kinds the issue lists is loaded
and reachable in ``/api/v1/facts/`` with its source, or listed with a reason in the one file of
deliberate omissions (places/fixtures/cw_ics.omissions.json)."""

import json
from pathlib import Path

import pytest

from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
EXTRACTION = ROOT.parent / "shared" / "data" / "cw_ics.json"
OMISSIONS = ROOT / "places" / "fixtures" / "cw_ics.omissions.json"


def records(x: dict):
    """(name, record, words) for every record of the kinds the issue lists."""
    fin = x["finance"]
    for f in x["system"]["key_figures"]:
        yield f"system.key_figures.{f['id']}", f, f["label"]
    for group, words in (
        ("spend_benchmarks_2017_18", "label"),
        ("provider_performance_2018_19", "text"),
        ("control_totals", "text"),
        ("other_facts", "text"),
    ):
        for n, f in enumerate(fin[group]):
            yield f"finance.{group}[{n}]", f, f[words]
    for metric in x["metrics"]:
        for t in metric.get("targets", []):
            cut = t.get("required_reduction_vs_2018_19_actual")
            if cut:
                yield (
                    f"metrics.{metric['id']}.{t['area']}.required_reduction",
                    cut,
                    cut["as_written"],
                )
    for t in x["other_targets"]:
        yield f"other_targets.{t['id']}", t, t["target"]
    for a in x["achievements"]:
        yield f"achievements.{a['id']}", a, a["text"]
    for w in x["workstreams"]:
        yield f"workstreams.{w['id']}", w, w["name"]
        for n, p in enumerate(w.get("priorities", [])):
            yield f"workstreams.{w['id']}.priorities[{n}]", p, p["text"]
    for name, block in x["commissioning"].items():
        items = block if isinstance(block, list) else [block]
        if isinstance(block, dict):
            items = [block.get("context") or block, *block.get("items", [])]
        for n, item in enumerate(items):
            if item.get("text") and item.get("source"):
                yield f"commissioning.{name}[{n}]", item, item["text"]
    # Every cited statement of the Better Care Fund plan: its schemes, its arrangements (section
    # 75 among them) and the rest.
    stack = [("bcf", x["bcf"])]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            if node.get("source") and (node.get("text") or node.get("name")):
                yield path, node, node.get("text") or node["name"]
            stack += [(f"{path}.{k}", v) for k, v in node.items() if k != "source"]
        elif isinstance(node, list):
            stack += [(f"{path}[{n}]", v) for n, v in enumerate(node)]
    for n, m in enumerate(x["system"]["ics_maturity"]):
        yield f"system.ics_maturity[{n}]", m, m["text"]
    for n, e in enumerate(x["events"]):
        yield f"events[{n}]", e, e["event"]


@pytest.mark.skipif(not EXTRACTION.exists(), reason="the facts base is outside the repository")
def test_every_record_is_in_the_facts_api_with_its_source_or_omitted_with_a_reason():
    x = json.loads(EXTRACTION.read_text(encoding="utf-8"))
    documents = {d["file"]: d["id"] for d in x["meta"]["documents"]}
    omitted = {o["record"]: o["reason"] for o in json.loads(OMISSIONS.read_text())["omissions"]}
    assert all(reason.strip() for reason in omitted.values())

    client = token_client("every-record", "analyst")
    rows, url = [], "/api/v1/facts/?page_size=500"
    while url:
        body = client.get(url).json()
        rows += body["results"]
        url = body["next"]
    cited: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        cited.setdefault((row["source"]["document"], row["source"]["line"]), []).append(row)

    missing, loaded = [], 0
    for name, record, words in records(x):
        if name in omitted:
            continue
        line = (documents[record["source"]["file"]], record["source"]["line"])
        if any(words in (r["text"] + " " + r["label"]) for r in cited.get(line, [])):
            loaded += 1
        else:
            missing.append(name)
    assert not missing, missing
    assert loaded >= 430  # 438 records of those kinds today
