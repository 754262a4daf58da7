"""The tour notebook is kept clean in git and runs from top to bottom, so it never rots."""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_explore_dongkou.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code, "the notebook has no code"
    assert all(c.get("outputs") == [] for c in code), "clear the outputs before committing"
    assert all(c.get("execution_count") is None for c in code), "clear the execution counts"


# Run after the tour, in its kernel. Expected values by construction of the tour's points and
# parcels, and Table 6 (grade 1 commercial 3194 yuan/m²).
TOUR_CHECKS = """
assert right["grade"].iloc[0] == 1, right  # the AMap point was made inside grade 1
by_parcel = assigned.set_index("宗地号")
assert by_parcel.loc["DK-001", "grade"] == 1
assert by_parcel.loc["DK-001", "p_comm"] == 3194
assert by_parcel.loc["DK-002", "share_1"] > 0 and by_parcel.loc["DK-002", "share_2"] > 0
assert by_parcel.loc["DK-003", "status"] == "outside_extent"
assert by_parcel.loc["DK-003", "share_out"] == 1
print("tour checks passed")
"""


def test_notebook_runs_top_to_bottom(tmp_path: Path) -> None:
    import nbclient
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(TOUR_CHECKS))
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()  # raises CellExecutionError naming the failing cell
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )
    assert "schematic network: True" in text
    assert "tour checks passed" in text
