"""knowledge.interchange: JSON documents, format dispatch and the Chinese problems."""

import json
from pathlib import Path

import pytest

from knowledge.errors import InterchangeError, KnowledgeError, Problem
from knowledge.interchange import read_document, write_document, write_template
from knowledge.schema import load_kb

FIXTURES = Path(__file__).parent / "fixtures" / "kb"


def problems_of(path: Path, **kwargs: str) -> list[str]:
    with pytest.raises(InterchangeError) as caught:
        read_document(path, **kwargs)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (
            Problem("items.xlsx", 12, "SF-GA-001", "份数", "必须是整数", "材料"),
            "items.xlsx「材料」表 第12行（事项 SF-GA-001）「份数」: 必须是整数",
        ),
        (
            Problem("items.csv", 12, None, "申请材料", "第3项份数必须是整数"),
            "items.csv 第12行「申请材料」: 第3项份数必须是整数",
        ),
        (
            Problem("county.json", None, "SF-GA-001", "materials[2].copies", "必须是整数"),
            "county.json 事项 SF-GA-001「materials[2].copies」: 必须是整数",
        ),
        (Problem("a.json", None, None, None, "文件是空的"), "a.json: 文件是空的"),
    ],
    ids=["xlsx", "csv", "json", "file-only"],
)
def test_problem_reads_as_chinese(problem, text):
    assert str(problem) == text


def test_interchange_error_carries_problems():
    problems = [Problem("a.json", None, None, None, f"问题{n}") for n in range(25)]
    error = InterchangeError(problems)
    assert isinstance(error, KnowledgeError)
    assert error.problems == problems
    assert "发现 25 个问题" in str(error) and "另有 5 个问题" in str(error)


@pytest.mark.parametrize("fixture", ["county_kb_path", "guangdong_kb_path"], ids=["county", "guangdong"])
def test_json_round_trip_is_lossless(fixture, request, tmp_path):
    kb = load_kb(request.getfixturevalue(fixture))
    assert read_document(write_document(kb, tmp_path / "kb.json")) == kb


def test_json_written_readable_and_in_order(county_kb_path, tmp_path):
    kb = load_kb(county_kb_path)
    text = write_document(kb, tmp_path / "kb.json").read_text(encoding="utf-8")
    assert "居民身份证首次申领" in text  # ensure_ascii=False
    assert text.startswith('{\n  "format": "guidebot-kb/1"')
    assert [item["code"] for item in json.loads(text)["items"]] == [item.code for item in kb.items]


def test_json_with_bom_reads(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "minimal.json").read_bytes())
    assert read_document(path) == read_document(FIXTURES / "minimal.json")


def test_minimal_fixture_reads():
    kb = read_document(FIXTURES / "minimal.json")
    assert [item.code for item in kb.items] == ["T-001", "T-002"]
    assert kb.items[0].situations[0].materials == []


def test_bad_json_lists_every_problem():
    assert problems_of(FIXTURES / "bad-items.json") == [
        "bad-items.json 事项 T-001「code」: 事项编码重复（第1个和第3个事项）",
        "bad-items.json「format」: 必须是「guidebot-kb/1」",
        "bad-items.json「items[0].materials[2].copies」: 必须是整数",
        "bad-items.json 事项 T-002「updated」: 日期格式应为 YYYY-MM-DD",
        "bad-items.json 事项 T-002「colour」: 不认识的字段（格式中没有这个键）",
        "bad-items.json「items[2].fee.free」: 必须是 true 或 false",
        "bad-items.json「items[3].code」: 缺少必填字段",
        "bad-items.json「items[3].department」: 缺少必填字段",
    ]


def test_item_code_names_a_unique_item(tmp_path):
    data = json.loads((FIXTURES / "minimal.json").read_text(encoding="utf-8"))
    data["items"][1]["materials"] = [{"name": "户口簿", "copies": 1.5, "required": "是"}]
    path = tmp_path / "county.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert problems_of(path) == [
        "county.json 事项 T-002「materials[0].copies」: 必须是整数",
        "county.json 事项 T-002「materials[0].required」: 必须是 true 或 false",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "x.json: 文件是空的"),
        (b"\xef\xbb\xbf  \n", "x.json: 文件是空的"),
        (b"[1, 2]", "x.json: 文件内容必须是一个 JSON 对象（{…}）"),
        (b'{"format": "guidebot-kb/1", "format": "x"}', "x.json「format」: 同一对象中这个键出现了两次"),
        (b"{'a': 1}", "x.json 第1行: JSON 格式错误（第2列）: 键名必须用英文双引号括起来（或有多余的逗号）"),
        ('{"a": "名称"}'.encode("gbk"), "x.json: 文件不是 UTF-8 编码，请用 UTF-8 保存"),
    ],
    ids=["empty", "bom-only", "not-object", "duplicate-key", "single-quotes", "gbk"],
)
def test_unreadable_json(tmp_path, content, expected):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    assert problems_of(path)[0] == expected


def test_json_syntax_error_gives_line_and_column():
    assert problems_of(FIXTURES / "syntax-error.json") == [
        "syntax-error.json 第4行: JSON 格式错误（第3列）: 缺少逗号"
    ]


def test_missing_top_level_keys(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"format": "guidebot-kb/1"}', encoding="utf-8")
    assert problems_of(path) == ["x.json「hall」: 缺少必填字段", "x.json「items」: 缺少必填字段"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("kb.xls", "kb.xls: 不支持的文件类型「.xls」，请在 Excel 中另存为 .xlsx 格式"),
        ("kb.txt", "kb.txt: 不支持的文件类型「.txt」，只能导入 .json、.xlsx 或 .csv 文件"),
        ("kb", "kb: 不支持的文件类型「无扩展名」，只能导入 .json、.xlsx 或 .csv 文件"),
    ],
    ids=["xls", "txt", "none"],
)
def test_wrong_extension(tmp_path, name, expected):
    path = tmp_path / name
    path.write_text("{}", encoding="utf-8")
    assert problems_of(path) == [expected]


def test_missing_file(tmp_path):
    assert problems_of(tmp_path / "gone.json") == ["gone.json: 找不到这个文件"]


def test_display_name_for_uploaded_temp_file(tmp_path):
    path = tmp_path / "upload-123.tmp"
    path.write_bytes(b"")
    assert problems_of(path, name="事项表.json") == ["事项表.json: 文件是空的"]


@pytest.mark.parametrize("name", ["kb.txt", "kb.xls"], ids=["txt", "xls"])
def test_write_refuses_unknown_extension(tmp_path, name):
    kb = read_document(FIXTURES / "minimal.json")
    with pytest.raises(InterchangeError, match="不支持的文件类型"):
        write_document(kb, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_template_must_be_xlsx(tmp_path):
    with pytest.raises(InterchangeError, match="模板只能保存为 .xlsx 文件"):
        write_template(tmp_path / "template.csv")
