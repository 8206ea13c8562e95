"""knowledge.csv_format through read_document / write_document."""

import csv
from pathlib import Path

import pytest

from knowledge.csv_format import CSV_COLUMNS
from knowledge.errors import InterchangeError
from knowledge.interchange import read_document, write_document
from knowledge.schema import load_kb

FIXTURES = Path(__file__).parent / "fixtures" / "kb"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InterchangeError) as caught:
        read_document(path)
    return [str(problem) for problem in caught.value.problems]


def test_county_round_trip_is_lossless(county_kb_path, tmp_path):
    kb = load_kb(county_kb_path)
    assert read_document(write_document(kb, tmp_path / "county.csv")) == kb


def test_guangdong_round_trip(guangdong_kb_path, tmp_path):
    kb = load_kb(guangdong_kb_path)
    assert read_document(write_document(kb, tmp_path / "guangdong.csv")) == kb


def test_written_as_excel_expects(tmp_path):
    kb = read_document(FIXTURES / "minimal.json")
    raw = write_document(kb, tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [column.header for column in CSV_COLUMNS]
    assert rows[0]["申请材料"] == "居民户口簿｜原件｜1"
    assert rows[0]["办理情形"] == "未满16周岁｜监护人陪同"
    assert (rows[0]["大厅名称"], rows[1]["大厅名称"]) == ("测试县政务服务中心", "")


def test_excel_utf8_csv_with_bom_and_crlf():
    kb = read_document(FIXTURES / "excel-utf8-bom.csv")
    assert kb.hall.name == "测试县政务服务中心" and kb.hall.phone == "0999-0000000"
    item = kb.item("T-001")
    assert item.aliases == ["身份证丢了", "补办身份证"]
    assert [m.dump() for m in item.materials] == [
        {"name": "居民户口簿", "form": "原件", "copies": 1},
        {"name": "证件照片", "note": "现场拍摄", "required": False},
    ]
    assert [s.dump() for s in item.situations] == [
        {
            "name": "未满16周岁",
            "note": "监护人陪同",
            "materials": [{"name": "监护人居民身份证", "form": "原件", "copies": 1}],
        },
        {"name": "低保对象", "materials": []},
    ]
    assert item.windows[0].dump() == {"name": "公安户政窗口", "number": "1-6号", "location": "一楼A区"}
    assert item.faq[0].dump() == {"q": "丢了要登报吗？", "a": "不需要"}
    assert (item.fee.free, item.online.available, item.visits) == (False, True, 1)
    assert kb.item("T-002").fee.free is True


@pytest.mark.parametrize(
    ("bom", "newline"), [(False, "\n"), (True, "\n"), (False, "\r\n")], ids=["utf8-lf", "bom-lf", "utf8-crlf"]
)
def test_encodings_and_line_ends_read_alike(tmp_path, bom, newline):
    text = (FIXTURES / "excel-utf8-bom.csv").read_bytes().decode("utf-8-sig")
    path = tmp_path / "variant.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.replace("\r\n", newline).encode("utf-8"))
    assert read_document(path) == read_document(FIXTURES / "excel-utf8-bom.csv")


def test_bad_rows_list_every_problem():
    assert problems_of(FIXTURES / "bad-rows.csv") == [
        "bad-rows.csv 第1行「颜色」: 不认识的列名（第J列），请使用模板中的列名",
        "bad-rows.csv 第2行（事项 T-001）「情形材料」: 第1项的情形「未登记的情形」没有写在「办理情形」列中",
        "bad-rows.csv 第2行（事项 T-001）「申请材料」: 第1项份数必须是整数",
        "bad-rows.csv 第2行（事项 T-001）「申请材料」: 第2项材料名称必须填写",
        "bad-rows.csv 第2行（事项 T-001）「是否收费」: 只能填「是」或「否」",
        "bad-rows.csv 第2行（事项 T-001）「到现场次数」: 必须是整数",
        "bad-rows.csv 第2行（事项 T-001）「更新日期」: 日期格式应为 YYYY-MM-DD",
        "bad-rows.csv 第3行「大厅名称」: 大厅信息与第2行不同；大厅信息只需在第一行填写",
        "bad-rows.csv 第3行（事项 T-001）「事项编码」: 事项编码重复（与第2行相同）",
        "bad-rows.csv 第4行「事项编码」: 必须填写",
        "bad-rows.csv 第4行「实施部门」: 必须填写",
    ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["事项编码,事项名称,实施部门", "A,名称,部门"], ["x.csv 第1行「大厅名称」: 缺少这一必需的列"]),
        (
            ["事项名称,大厅名称", "名称,大厅"],
            ["x.csv 第1行「事项编码」: 缺少这一必需的列", "x.csv 第1行「实施部门」: 缺少这一必需的列"],
        ),
        (
            ["事项编码,事项名称,实施部门,办理窗口,大厅名称", "A,名称,部门,窗口｜1号｜一楼｜多余,大厅"],
            ["x.csv 第2行（事项 A）「办理窗口」: 第1项分隔符「｜」太多，格式应为 窗口名称｜窗口号｜位置"],
        ),
        (
            ["事项编码,事项名称,实施部门,办理情形,大厅名称", 'A,名称,部门,"成年\n成年",大厅'],
            ["x.csv 第2行（事项 A）「办理情形」: 第2项的情形名称「成年」重复"],
        ),
        (
            ["事项编码,事项名称,实施部门,常见问题,大厅名称", "A,名称,部门,只有问题,大厅"],
            ["x.csv 第2行（事项 A）「常见问题」: 第1项回答必须填写"],
        ),
    ],
    ids=["no-hall", "missing-columns", "too-many-parts", "duplicate-situation", "faq-without-answer"],
)
def test_csv_problems(tmp_path, rows, expected):
    path = tmp_path / "x.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert problems_of(path) == expected


def test_hall_only_row_and_ascii_bar(tmp_path):
    path = tmp_path / "x.csv"
    rows = ["事项编码,事项名称,实施部门,申请材料,大厅名称", ",,,,测试大厅", "A,名称,部门,户口簿|原件|2,"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    kb = read_document(path)
    assert kb.hall.name == "测试大厅"
    assert kb.items[0].materials[0].dump() == {"name": "户口簿", "form": "原件", "copies": 2}


def test_gbk_csv_is_explained(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("事项编码,事项名称\nA,名称\n".encode("gbk"))
    assert problems_of(path) == [
        "gbk.csv: 文件不是 UTF-8 编码，请在 Excel 中「另存为」并选择「CSV UTF-8（逗号分隔）」"
    ]


def test_empty_knowledge_base_keeps_its_hall(tmp_path):
    kb = read_document(FIXTURES / "minimal.json").model_copy(update={"items": []})
    assert read_document(write_document(kb, tmp_path / "empty.csv")) == kb


def test_separator_inside_a_material_is_refused(tmp_path):
    kb = read_document(FIXTURES / "minimal.json")
    kb.items[0].materials[0].note = "原件｜复印件均可"
    with pytest.raises(InterchangeError) as caught:
        write_document(kb, tmp_path / "out.csv")
    [problem] = caught.value.problems
    assert str(problem).startswith("out.csv 事项 T-001「materials[0].note」: 含有换行或「｜」，无法写入 CSV")
    assert read_document(write_document(kb, tmp_path / "out.xlsx")) == kb


FORMULAS = ['=HYPERLINK("http://evil","点我")', "+86-139", "-1+1", "@SUM(A1)", "\tTAB", "'=already quoted"]


@pytest.mark.parametrize("text", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "apostrophe"])
def test_formula_cells_are_written_inert_and_read_back_unchanged(tmp_path, text):
    kb = read_document(FIXTURES / "minimal.json")
    kb.items[0].name = text
    kb.items[0].materials[0].name = text
    kb.hall.phone = text
    path = write_document(kb, tmp_path / "formula.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    # No cell a spreadsheet would run: every one starts with something other than a trigger.
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    back, expected = read_document(path), text.strip()  # cells are trimmed on import, as always
    assert (back.items[0].name, back.hall.phone, back.items[0].materials[0].name) == (expected,) * 3


def test_hand_escaped_cells_lose_one_apostrophe(tmp_path):
    kb = read_document(FIXTURES / "minimal.json")
    path = write_document(kb, tmp_path / "plain.csv")
    text = path.read_text(encoding="utf-8-sig").replace(kb.items[0].name, "'=1+1", 1)
    path.write_text(text, encoding="utf-8-sig")
    assert read_document(path).items[0].name == "=1+1"
    kb.items[0].name = "'引号开头"
    assert read_document(write_document(kb, tmp_path / "quote.csv")).items[0].name == "'引号开头"
