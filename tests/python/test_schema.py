"""`cdsim schema`: a JSON Schema every shipped scenario satisfies, whose defaults are the
loader's, and which rejects at the same field what the loader rejects field by field."""

import copy
import json

import jsonschema
import pytest

import cdsim
from conftest import QUICKSTART, SOURCE_DIR

# Sweep files (scenarios/studies/) have a schema of their own; every other file is a scenario.
SHIPPED = sorted(p for p in (SOURCE_DIR / "scenarios").rglob("*.json") if p.parent.name != "studies")


@pytest.fixture(scope="module")
def schema():
    return cdsim.schema()


def test_the_program_prints_the_same_valid_draft_2020_12_schema(cli, schema):
    outcome = cli("schema")
    assert outcome.returncode == 0, outcome.stderr
    assert json.loads(outcome.stdout) == schema
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(SOURCE_DIR)) for p in SHIPPED])
def test_every_shipped_scenario_and_its_resolved_form_satisfy_the_schema(schema, path):
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(json.loads(path.read_text()))
    validator.validate(cdsim.resolve(path))


def defaults(schema, prefix=""):
    for key, field in schema["properties"].items():
        if "properties" in field:
            yield from defaults(field, f"{prefix}/{key}")
        elif "default" in field:
            yield f"{prefix}/{key}", field["default"]


def test_the_schemas_defaults_are_what_the_loader_fills_in(schema):
    resolved = cdsim.resolve({"name": "defaults"})
    checked = 0
    for pointer, default in defaults(schema):
        value = resolved
        for token in pointer.strip("/").split("/"):
            if not isinstance(value, dict) or token not in value:
                break  # the resolved form leaves some fields out (e.g. run.epochs when steps decide)
            value = value[token]
        else:
            assert value == default, pointer
            checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    "pointer, value",
    [
        ("/agents", "eight"),
        ("/topology/kind", "moebius"),
        ("/topology/radius", 3),
        ("/network/bandwidth", True),
        ("/data/partition/kind", "random"),
        ("/algorithm/learning_rate", -0.1),
        ("/mixing/lazy", "yes"),
        ("/run/trace", 1),
        ("/model/hidden", "32"),
        ("/compute/straggler_probability", 1.5),
    ],
)
def test_a_bad_field_fails_the_schema_and_the_loader_at_the_same_pointer(schema, pointer, value):
    scenario = copy.deepcopy(json.loads(QUICKSTART.read_text()))
    target = scenario
    tokens = pointer.strip("/").split("/")
    for token in tokens[:-1]:
        target = target.setdefault(token, {})
    target[tokens[-1]] = value
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(scenario))
    assert errors
    paths = {"/" + "/".join(map(str, e.absolute_path)) for e in errors}
    # An unknown key is reported on its object by the schema, on the key by the loader.
    assert pointer in paths or pointer.rsplit("/", 1)[0] in paths
    with pytest.raises(cdsim.ScenarioError, match=f"^<dict>: {pointer}: "):
        cdsim.validate(scenario)
