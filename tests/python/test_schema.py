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
SWEEPS = sorted((SOURCE_DIR / "scenarios" / "studies").glob("*.json"))


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


@pytest.fixture(scope="module")
def sweep_schema():
    return cdsim.schema("sweep")


def test_the_program_prints_the_sweep_schema_and_it_is_valid(cli, sweep_schema):
    outcome = cli("schema", "--sweep")
    assert outcome.returncode == 0, outcome.stderr
    assert json.loads(outcome.stdout) == sweep_schema
    jsonschema.Draft202012Validator.check_schema(sweep_schema)
    # An inline base is checked as a scenario: the scenario schema is embedded.
    assert sweep_schema["$defs"]["scenario"]["properties"].keys() == cdsim.schema()["properties"].keys()


def test_shipped_sweeps_exist_for_the_sweep_schema_to_check():
    assert SWEEPS


@pytest.mark.parametrize("path", SWEEPS, ids=[p.name for p in SWEEPS])
def test_every_shipped_sweep_satisfies_the_sweep_schema(sweep_schema, path):
    jsonschema.Draft202012Validator(sweep_schema).validate(json.loads(path.read_text()))


def test_every_key_of_the_sweep_schema_is_one_the_sweep_reader_accepts(cli, sweep_schema, tmp_path):
    """A sweep using every key of the schema lists its runs; a key outside it is refused."""
    values = {"name": "every_key", "description": "all keys", "base": "base.json",
              "set": {"run.epochs": 1}, "grid": {"algorithm.learning_rate": [0.05, 0.02]},
              "zip": {"network.latency": ["1ms", "2ms"]}, "seeds": [3, 4]}
    assert set(values) == set(sweep_schema["properties"])
    (tmp_path / "base.json").write_text(QUICKSTART.read_text())
    sweep = tmp_path / "every_key.json"
    sweep.write_text(json.dumps(values))
    jsonschema.Draft202012Validator(sweep_schema).validate(values)
    listed = cli("sweep", sweep, "--list")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.split()) == 2 * 2 * 2

    sweep.write_text(json.dumps({**values, "seed": 1}))
    assert list(jsonschema.Draft202012Validator(sweep_schema).iter_errors({**values, "seed": 1}))
    refused = cli("sweep", sweep, "--list")
    assert refused.returncode == 2 and ": /seed: unknown key" in refused.stderr


@pytest.mark.parametrize(
    "pointer, sweep",
    [
        ("/grid/algorithm.learning_rate", {"grid": {"algorithm.learning_rate": []}}),
        ("/grid/seed", {"grid": {"seed": [1, 2]}}),
        ("/seeds", {"seeds": 0}),
        ("/seeds", {"seeds": [1, 1]}),
        ("/name", {"name": ""}),
        ("/set", {"set": [1]}),
    ],
)
def test_a_bad_sweep_fails_the_schema_and_the_reader(cli, sweep_schema, tmp_path, pointer, sweep):
    values = {"base": "base.json", **sweep}
    (tmp_path / "base.json").write_text(QUICKSTART.read_text())
    errors = list(jsonschema.Draft202012Validator(sweep_schema).iter_errors(values))
    assert errors
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(values))
    outcome = cli("sweep", path, "--list")
    assert outcome.returncode == 2
    assert f"bad.json: {pointer}" in outcome.stderr, outcome.stderr
