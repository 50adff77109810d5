"""The README's "Using the helpers in your own notebooks" example runs as printed (no warning)."""

from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(monkeypatch):
    monkeypatch.setenv("NBLM_WIDGET_MODE", "static")
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using the helpers in your own notebooks", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "solve_linewidth" in code and "from_parameters" in code
    exec(compile(code, str(README), "exec"), {})
