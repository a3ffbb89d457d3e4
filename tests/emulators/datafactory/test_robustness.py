"""Bad input never yields a 5xx: arbitrary JSON bodies, mutated valid bodies, junk paths and queries."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulators.datafactory.bodies import (
    blob_dataset,
    blob_linked_service,
    copy_pipeline,
    key_vault_linked_service,
    rest_dataset,
    rest_linked_service,
    schedule_trigger,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
VALID = {
    "linkedservices": rest_linked_service("http://127.0.0.1:9", "ls_akv", "s"),
    "datasets": blob_dataset("ls_adls", "raw", "in", "a.csv"),
    "pipelines": copy_pipeline("ds_src", "ds_sink"),
    "triggers": schedule_trigger("pl_copy"),
}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture()
def adf(fresh_datafactory_emulator):
    adf = fresh_datafactory_emulator
    adf.arm("PUT", "/linkedservices/ls_akv", json=key_vault_linked_service())
    adf.arm("PUT", "/linkedservices/ls_adls", json=blob_linked_service())
    adf.arm("PUT", "/linkedservices/ls_rest", json=rest_linked_service("http://127.0.0.1:9", "ls_akv", "s"))
    adf.arm("PUT", "/datasets/ds_src", json=VALID["datasets"])
    adf.arm("PUT", "/datasets/ds_sink", json=rest_dataset("ls_rest", "x"))
    adf.arm("PUT", "/pipelines/pl_copy", json=VALID["pipelines"])
    return adf


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _replace(value, path, new):
    if not path:
        return new
    clone = copy.deepcopy(value)
    node = clone
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = new
    return clone


@pytest.mark.parametrize("kind", sorted(VALID))
@SETTINGS
@given(body=json_values)
def test_arbitrary_json_bodies_get_a_4xx_or_200(adf, kind, body):
    answer = adf.arm("PUT", f"/{kind}/fuzzed", json=body)
    assert answer.status_code in {200, 400}, answer.text
    assert "error" in answer.json() or answer.status_code == 200


@pytest.mark.parametrize("kind", sorted(VALID))
@SETTINGS
@given(data=st.data(), replacement=json_values)
def test_mutated_valid_bodies_get_a_4xx_or_200(adf, kind, data, replacement):
    valid = VALID[kind]
    path = data.draw(st.sampled_from(list(_paths(valid))))
    answer = adf.arm("PUT", f"/{kind}/mutated", json=_replace(valid, path, replacement))
    assert answer.status_code in {200, 400}, (path, answer.text)


@SETTINGS
@given(parameters=json_values)
def test_create_run_with_any_body_never_fails_with_5xx(adf, parameters):
    answer = adf.arm("POST", "/pipelines/pl_copy/createRun", json=parameters)
    assert answer.status_code in {200, 400}, answer.text


@SETTINGS
@given(body=json_values)
def test_run_queries_with_any_body_never_fail_with_5xx(adf, body):
    answer = adf.arm("POST", "/queryPipelineRuns", json=body)
    assert answer.status_code in {200, 400}, answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/pipelines/%00",
        "/pipelineruns/..%2F..",
        "/triggers/x/start",
        "/datasets/" + "a" * 300,
        "/linkedservices/%E2%98%83",
    ],
)
def test_junk_paths_answer_arm_errors(adf, path):
    for method in ("GET", "PUT", "DELETE", "POST"):
        answer = adf.arm(method, path, json={})
        assert 400 <= answer.status_code < 500, (method, path, answer.text)
        assert "error" in answer.json()
