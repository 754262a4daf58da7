"""A county folder whose correction tables give the exam item's coefficients exactly.

The worked example (tests/data/corrections/worked_examples/source.md, a 土地估价师 exam item):
"基准地价为500元/m2 … 区域因素和个别因素修正系数之和为-0.13，年期、期日、容积率修正系数
分别为0.97、1.06、1.51 … 该宗地地价为（675）元/m2". :func:`make_county` copies the Dongkou
folder (its grade map is the bundled one) and changes only what the example needs:

- Table 6: residential grade 5 is 500 yuan/m² (the gazette's is 480), connotation unchanged: term
  70 years, plot ratio 1.5, 估价期日 2021-10-01;
- ``rates.csv``: residential 6.59 %, the rate at which the formula gives 0.9700 (0.970001) at 50
  of 70 years, and ``term.csv`` listing 50 years → 0.97, as a published table would (it agrees
  with the formula at 4 decimals, so no warning, and overrides it: K_term = 0.97 exactly);
- ``date_index.csv``: 100 on 2021-10-01, 106 on 2026-12-01: K_date = 1.06;
- ``plot_ratio.csv``: one residential table for every grade, 1.5 → 1.00 and 2.5 → 1.51:
  K_plot_ratio = c(2.5) / c(1.5) = 1.51;
- ``factors.csv``: 区域因素 and 个别因素, 劣 = −8 % and −5 %: ΣK = −13 %;
- ``development.csv``: 通讯 15 and 场地平整 20 yuan/m².
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

DONGKOU = Path(__file__).resolve().parents[1] / "geo" / "dongkou"
GRADE5_POINT = ("110.60", "27.05")  # grade 5 on the bundled map, no route within depth
EXAMPLE_PRICE = 500 * (1 - 0.13) * 1.06 * 1.51 * 0.97  # 675.37…

CORRECTIONS = {
    "rates.csv": "use,rate\n住宅用地,6.59%\n",
    "term.csv": "use,years,coefficient\n住宅用地,50,0.97\n住宅用地,70,1\n",
    "date_index.csv": "date,index\n2021-10-01,100\n2026-12-01,106\n",
    "plot_ratio.csv": "use,grade,plot_ratio,coefficient\n住宅用地,,1.5,1.00\n住宅用地,,2.5,1.51\n",
    "factors.csv": (
        "use,grade,factor,level,percent\n"
        + "".join(f"住宅用地,,区域因素,{lv},{p}\n"
                  for lv, p in zip(("优", "较优", "一般", "较劣", "劣"), (8, 4, 0, -4, -8),
                                   strict=True))
        + "".join(f"住宅用地,,个别因素,{lv},{p}\n"
                  for lv, p in zip(("优", "较优", "一般", "较劣", "劣"), (5, 2.5, 0, -2.5, -5),
                                   strict=True))
    ),
    "development.csv": "use,item,yuan_per_m2\n,通讯,15\n,场地平整,20\n",
}
EXAMPLE_ARGS = ["--use", "住宅用地", "--term", "50", "--plot-ratio", "2.5", "--date",
                "2026-12-01", "--factor", "区域因素=劣", "--factor", "个别因素=劣"]


def make_county(root: Path, *, valuation: dict[str, Any] | None = None,
                corrections: dict[str, str] | None = None) -> Path:
    """The example county at ``root`` (see the module docstring); ``valuation`` becomes the
    metadata's ``valuation`` block, ``corrections`` replaces the tables written."""
    shutil.copytree(DONGKOU, root, ignore=shutil.ignore_patterns("samples", "schematic"))
    prices = pd.read_csv(root / "urban_prices.csv")
    prices.loc[(prices["grade"] == 5) & (prices["use"] == "residential"), "price"] = 500
    prices.to_csv(root / "urban_prices.csv", index=False)
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    meta["county"] = meta["county"] + "（测试）"
    if valuation is not None:
        meta["valuation"] = valuation
    (root / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2),
                                        encoding="utf-8")
    folder = root / "corrections"
    folder.mkdir()
    for name, text in (CORRECTIONS if corrections is None else corrections).items():
        (folder / name).write_text(text, encoding="utf-8")
    return root


TONGDAO = Path(__file__).resolve().parent / "data" / "corrections" / "tongdao" / "corrections"


def make_tongdao_county(root: Path) -> Path:
    """Tongdao's published system (tests/data/corrections/tongdao) on the Dongkou map: grade 2
    residential at Tongdao's benchmark, 710 yuan/m², term 70 years, plot ratio 2.0 (its
    connotation, where its plot-ratio table is 1.0000), with its rates, plot-ratio and grade-2
    factor tables; its 居住用地 is this county's 住宅用地 (the use resolver reads uses.csv only)."""
    make_county(root, corrections={})
    prices = pd.read_csv(root / "urban_prices.csv")
    prices.loc[(prices["grade"] == 2) & (prices["use"] == "residential"), "price"] = 710
    prices.to_csv(root / "urban_prices.csv", index=False)
    conn = pd.read_csv(root / "connotation.csv")
    conn.loc[(conn["area"] == "urban") & (conn["grade"] == 2) & (conn["use"] == "residential"),
             "plot_ratio"] = 2.0
    conn.to_csv(root / "connotation.csv", index=False)
    for name in ("rates.csv", "plot_ratio.csv", "factors.csv"):
        text = (TONGDAO / name).read_text(encoding="utf-8")
        lines = [line for line in text.splitlines()
                 if not line.startswith(("商业服务业用地", "工矿", "仓储", "公共", "公用"))]
        (root / "corrections" / name).write_text(
            "\n".join(lines).replace("居住用地", "住宅用地") + "\n", encoding="utf-8")
    return root
