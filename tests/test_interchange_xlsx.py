"""knowledge.xlsx_format through read_document / write_document / write_template."""

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from knowledge.errors import InterchangeError
from knowledge.interchange import read_document, write_document, write_template
from knowledge.schema import load_kb
from knowledge.xlsx_format import SHEETS

FIXTURES = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture
def minimal_xlsx(tmp_path) -> Path:
    return write_document(read_document(FIXTURES / "minimal.json"), tmp_path / "items.xlsx")


def edit(path: Path, cells: dict[tuple[str, str], object]) -> Path:
    workbook = load_workbook(path)
    for (sheet, ref), value in cells.items():
        workbook[sheet][ref] = value
    workbook.save(path)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InterchangeError) as caught:
        read_document(path)
    return [str(problem) for problem in caught.value.problems]


def test_county_round_trip_is_lossless(county_kb_path, tmp_path):
    kb = load_kb(county_kb_path)
    assert read_document(write_document(kb, tmp_path / "county.xlsx")) == kb


def test_guangdong_round_trip(guangdong_kb_path, tmp_path):
    kb = load_kb(guangdong_kb_path)
    back = read_document(write_document(kb, tmp_path / "guangdong.xlsx"))
    assert len(back.items) == 2262
    assert back == kb


def test_template_layout(tmp_path):
    workbook = load_workbook(write_template(tmp_path / "template.xlsx"))
    assert workbook.sheetnames == [*SHEETS, "说明"]
    for name, columns in SHEETS.items():
        sheet = workbook[name]
        assert [cell.value for cell in sheet[1]] == [column.header for column in columns]
        # Example rows (事项编码 示例, skipped on import) in every sheet but the hall's single row.
        examples = [row[0].value for row in sheet.iter_rows(min_row=2)]
        assert examples == ([] if name == "大厅" else ["示例"] * len(examples)) and sheet.freeze_panes == "A2"
        assert name == "大厅" or examples
        for cell, column in zip(sheet[1], columns, strict=True):
            assert cell.font.b and cell.comment.text == column.help
            assert sheet.column_dimensions[cell.column_letter].width == column.width
    assert "填写说明" in workbook["说明"]["A1"].value


def test_empty_template_needs_only_a_hall(tmp_path):
    path = write_template(tmp_path / "template.xlsx")
    assert problems_of(path) == ["template.xlsx「大厅」表 第2行「名称」: 必须填写"]
    kb = read_document(edit(path, {("大厅", "A2"): "测试县政务服务中心"}))
    assert kb.hall.name == "测试县政务服务中心" and kb.items == []


def test_sheet_layout_of_an_item(minimal_xlsx):
    workbook = load_workbook(minimal_xlsx)
    items = {cell.value: position for position, cell in enumerate(workbook["事项"][1])}
    row = [cell.value for cell in workbook["事项"][2]]
    assert row[items["别名"]] == "身份证丢了"
    assert (row[items["是否收费"]], row[items["收费标准"]], row[items["可网上办理"]]) == ("是", "40元", "否")
    assert [cell.value for cell in workbook["材料"][2]] == [
        "T-001",
        None,
        "居民户口簿",
        "原件",
        1,
        None,
        None,
    ]
    assert [cell.value for cell in workbook["情形"][2]] == ["T-001", "未满16周岁", "监护人陪同"]


def test_staff_typed_cells_are_converted(minimal_xlsx):
    path = edit(
        minimal_xlsx,
        {
            ("事项", "W2"): dt.datetime(2026, 4, 1),  # Excel date cell in 更新日期
            ("事项", "U2"): 2.0,  # 到现场次数 typed as a number
            ("事项", "C2"): "身份证丢了\r\n  补办身份证 \n\n",  # aliases, CRLF and blank lines
            ("材料", "E2"): "２",  # full-width digit
            ("材料", "G2"): "否",
            ("窗口", "A2"): "T-002",
            ("窗口", "B2"): "民政窗口",
            ("窗口", "C2"): 12,  # number as text column
        },
    )
    kb = read_document(path)
    item = kb.item("T-001")
    assert item.updated == "2026-04-01" and item.visits == 2
    assert item.aliases == ["身份证丢了", "补办身份证"]
    assert (item.materials[0].copies, item.materials[0].required) == (2, False)
    assert kb.item("T-002").windows[0].number == "12"


def test_every_problem_names_sheet_row_and_column(minimal_xlsx):
    path = edit(
        minimal_xlsx,
        {
            ("事项", "A3"): "T-001",
            ("事项", "L2"): "也许",
            ("事项", "U2"): "两次",
            ("事项", "W2"): "2026/3/2",
            ("事项", "X1"): "颜色",
            ("事项", "X2"): "红",
            ("材料", "A3"): "T-001",
            ("材料", "C3"): "申请表",
            ("材料", "E3"): "两份",
            ("材料", "G3"): "可能",
            ("材料", "A4"): "T-999",
            ("材料", "C4"): "户口簿",
            ("材料", "A5"): "T-001",
            ("材料", "B5"): "没登记的情形",
            ("材料", "C5"): "户口簿",
            ("材料", "A6"): "T-001",
            ("材料", "F6"): "只有备注",
            ("窗口", "B2"): "没有编码的窗口",
            ("大厅", "A3"): "第二个大厅",
        },
    )
    assert problems_of(path) == [
        "items.xlsx「事项」表 第1行「颜色」: 不认识的列名（第X列），请使用模板中的列名",
        "items.xlsx「事项」表 第2行（事项 T-001）「是否收费」: 只能填「是」或「否」",
        "items.xlsx「事项」表 第2行（事项 T-001）「到现场次数」: 必须是整数",
        "items.xlsx「事项」表 第2行（事项 T-001）「更新日期」: 日期格式应为 YYYY-MM-DD",
        "items.xlsx「事项」表 第3行（事项 T-001）「事项编码」: 事项编码重复（与第2行相同）",
        "items.xlsx「材料」表 第3行（事项 T-001）「份数」: 必须是整数",
        "items.xlsx「材料」表 第3行（事项 T-001）「是否必需」: 只能填「是」或「否」",
        "items.xlsx「材料」表 第4行（事项 T-999）「事项编码」: 「事项」表中没有这个事项编码",
        "items.xlsx「材料」表 第5行（事项 T-001）「情形」: 情形「没登记的情形」没有在「情形」表中登记",
        "items.xlsx「材料」表 第6行（事项 T-001）「材料名称」: 必须填写",
        "items.xlsx「窗口」表 第2行「事项编码」: 必须填写",
        "items.xlsx「大厅」表 第3行: 「大厅」表只能填写一行（第2行）",
    ]


def test_structure_problems(tmp_path):
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    items = workbook.create_sheet("事项")
    items.append(["事项编码", "事项名称", "事项名称"])
    items.append(["A", "名称", None, None, "无表头的内容"])
    path = tmp_path / "odd.xlsx"
    workbook.save(path)
    assert problems_of(path) == [
        "odd.xlsx: 不认识的工作表「Sheet1」，可用的工作表: 事项、材料、情形、窗口、常见问题、大厅",
        "odd.xlsx「事项」表 第1行「事项名称」: 列名重复（第B列和第C列）",
        "odd.xlsx「事项」表 第1行「实施部门」: 缺少这一必需的列",
        "odd.xlsx「事项」表 第2行「第E列」: 这一列没有列名，内容无法识别",
        "odd.xlsx「大厅」表: 缺少这张工作表",
    ]


@pytest.mark.parametrize("content", [b"", b"not a zip file"], ids=["empty", "corrupt"])
def test_unreadable_workbook(tmp_path, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    expected = (
        "bad.xlsx: 文件是空的"
        if not content
        else "bad.xlsx: 无法打开这个 Excel 文件，文件可能已损坏或不是 .xlsx 格式"
    )
    assert problems_of(path) == [expected]


def test_formula_like_text_stays_text(tmp_path):
    kb = read_document(FIXTURES / "minimal.json")
    kb.items[0].materials[0].note = '=HYPERLINK("x")'
    back = read_document(write_document(kb, tmp_path / "formula.xlsx"))
    assert back.items[0].materials[0].note == '=HYPERLINK("x")'


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("aliases", ["第一行\n第二行"], "「别名」: 第1项含有换行，表格中一行只能写一项"),
        ("conditions", "含有\x07控制字符", "「conditions」: 含有表格不允许的控制字符"),
    ],
    ids=["newline-in-alias", "control-character"],
)
def test_unwritable_values_are_refused(tmp_path, field, value, expected):
    kb = read_document(FIXTURES / "minimal.json")
    setattr(kb.items[0], field, value)
    with pytest.raises(InterchangeError) as caught:
        write_document(kb, tmp_path / "out.xlsx")
    assert [str(p) for p in caught.value.problems] == [f"out.xlsx 事项 T-001{expected}"]
    assert not (tmp_path / "out.xlsx").exists()


def test_wrong_used_range_still_reads_every_row(minimal_xlsx, tmp_path):
    # Some spreadsheet writers store <dimension ref="A1"> however big the sheet is.
    fixed = tmp_path / "dimension.xlsx"
    with zipfile.ZipFile(minimal_xlsx) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
            target.writestr(info, data)
    assert read_document(fixed) == read_document(minimal_xlsx)
    assert len(read_document(fixed).items) == 2


# -- issue 16: an example row, drop-downs, the format's length limits ----------------------------------


def _checks(sheet) -> dict[str, tuple[str, str]]:
    """Column header → (validation type, formula) of a sheet's data validations."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for check in sheet.data_validations.dataValidation:
        letter = str(check.sqref).split(":")[0].rstrip("0123456789")
        found[headers[letter]] = (check.type, check.formula1)
    return found


def test_template_has_an_example_in_every_sheet_and_it_is_skipped(tmp_path):
    path = write_template(tmp_path / "template.xlsx")
    workbook = load_workbook(path)
    for name in ("事项", "材料", "情形", "窗口", "常见问题"):
        row = [cell.value for cell in workbook[name][2]]
        assert row[0] == "示例" and any(value not in (None, "示例") for value in row[1:]), name
        assert workbook[name]["A2"].font.i  # grey italic: visibly not real data
    assert "示例" in workbook["事项"]["B2"].value
    # Staff fill in rows under the examples and the hall: only their item is imported.
    below = workbook["材料"].max_row + 1
    filled = edit(path, {
        ("大厅", "A2"): "测试县政务服务中心",
        ("事项", "A3"): "T-001", ("事项", "B3"): "测试事项", ("事项", "D3"): "县民政局",
        ("材料", f"A{below}"): "T-001", ("材料", f"C{below}"): "申请表",
    })
    kb = read_document(filled)
    assert [item.code for item in kb.items] == ["T-001"]
    assert [material.name for material in kb.items[0].materials] == ["申请表"]


def test_yes_no_columns_offer_a_drop_down(tmp_path):
    workbook = load_workbook(write_template(tmp_path / "template.xlsx"))
    items, materials = _checks(workbook["事项"]), _checks(workbook["材料"])
    for header in ("是否收费", "可网上办理"):
        assert items[header] == ("list", '"是,否"')
    assert materials["是否必需"] == ("list", '"是,否"')
    assert materials["形式"] == ("list", '"原件,复印件,原件及复印件,电子"')
    assert items["到现场次数"][0] == "whole" and materials["份数"][0] == "whole"


def test_text_columns_check_the_formats_lengths(tmp_path):
    from knowledge.schema import MAX_LENGTHS

    workbook = load_workbook(write_template(tmp_path / "template.xlsx"))
    items = _checks(workbook["事项"])
    assert items["事项名称"] == ("textLength", str(MAX_LENGTHS["Item"]["name"]))
    assert items["事项编码"] == ("textLength", str(MAX_LENGTHS["Item"]["code"]))
    assert items["收费标准"] == ("textLength", str(MAX_LENGTHS["Fee"]["text"]))
    assert _checks(workbook["常见问题"])["问题"] == ("textLength", str(MAX_LENGTHS["FaqEntry"]["q"]))


def test_a_name_too_long_is_reported_with_row_and_column(tmp_path):
    path = write_template(tmp_path / "template.xlsx")
    edit(path, {("大厅", "A2"): "测试县政务服务中心", ("事项", "A3"): "T-001", ("事项", "B3"): "长" * 201,
                ("事项", "D3"): "县民政局"})
    expected = "template.xlsx「事项」表 第3行（事项 T-001）「事项名称」: 不能超过 200 个字（现有 201 个字）"
    assert problems_of(path) == [expected]


def test_exports_get_the_same_drop_downs(county_kb_path, tmp_path):
    workbook = load_workbook(write_document(load_kb(county_kb_path), tmp_path / "county.xlsx"))
    assert _checks(workbook["事项"])["是否收费"] == ("list", '"是,否"')


def test_formula_like_cells_are_stored_as_strings(tmp_path):
    from openpyxl import load_workbook

    kb = read_document(FIXTURES / "minimal.json")
    kb.items[0].name = "=1+1"
    kb.hall.phone = "+86 139"
    path = write_document(kb, tmp_path / "formula.xlsx")
    workbook = load_workbook(path)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]
    assert [cell.value for cell in cells if cell.data_type == "f"] == []
    assert {c.value for c in cells if c.data_type == "s"} >= {"=1+1", "+86 139"}
