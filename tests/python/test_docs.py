"""docs/python.md runs as it stands: its Python cells, top to bottom, in a scratch folder."""

import re

from conftest import SOURCE_DIR


def test_the_python_walkthrough_runs_and_draws_its_figure(tmp_path, monkeypatch):
    text = (SOURCE_DIR / "docs" / "python.md").read_text()
    cells = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(cells) >= 5
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile("\n".join(cells), "docs/python.md", "exec"), namespace)
    sweep = namespace["sweep"]
    assert len(sweep.runs) == 6 and sweep.axes == ["algorithm.learning_rate"]
    assert (tmp_path / "runs" / "lr_sweep" / "accuracy.png").read_bytes()[:4] == b"\x89PNG"
    # The cells' trace figures: every agent computes and waits for some share of the time.
    share = namespace["waits"] / (namespace["waits"] + namespace["computes"])
    assert ((share > 0) & (share < 1)).all()
